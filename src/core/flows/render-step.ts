import type { InferenceSettings } from '../model-request.js';
import type { RenderedRequest } from '../job/render-request.js';
import type { StepTemplate } from './flow-definitions.js';

/**
 * The conversation of one pipeline step: its template's prompt with
 * `{{input}}` (the previous step's output) and `{{document}}` (the job's own
 * input) filled in one pass, so text inside either is never substituted
 * again; the step's system prompt, then the job's. Pure.
 */
export function renderStep(input: {
  template: StepTemplate;
  stepInput: string;
  document: string;
  system: readonly string[];
  inference?: InferenceSettings | undefined;
}): RenderedRequest {
  const text = input.template.prompt.replace(/\{\{(input|document)\}\}/g, (_, key: string) => (key === 'input' ? input.stepInput : input.document));
  const system = [...(input.template.system === undefined ? [] : [input.template.system]), ...input.system];
  return {
    messages: [{ role: 'user', content: [{ text }] }],
    system,
    ...(input.inference === undefined ? {} : { inference: input.inference }),
  };
}
