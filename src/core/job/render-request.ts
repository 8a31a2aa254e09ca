import { policyFor } from '../cascade/cascade-policy.js';
import type { FleetShape } from '../fleet-shape.js';
import type { InferenceSettings, Message } from '../model-request.js';
import type { JobSpec } from './job-spec.js';

/** The conversation a job sends to every model it reaches; it travels with escalations. */
export interface RenderedRequest {
  messages: Message[];
  system: string[];
  inference?: InferenceSettings;
}

/**
 * Turns a validated job into the conversation to send: the messages as
 * given, or the prompt as one user turn, or the document through its
 * template; system prompts from the template and the job; for cascades,
 * the instruction to report confidence.
 */
export function renderRequest(spec: JobSpec, fleet: FleetShape): RenderedRequest {
  const system: string[] = [];
  let messages: Message[];
  if (spec.document !== undefined) {
    const name = spec.template ?? spec.task;
    const template = fleet.templates[name];
    if (template === undefined) throw new Error(`no template "${name}"`);
    if (template.system !== undefined) system.push(template.system);
    const text = template.prompt.split('{{document}}').join(spec.document);
    messages = [{ role: 'user', content: [{ text }] }];
  } else if (spec.prompt !== undefined) {
    messages = [{ role: 'user', content: [{ text: spec.prompt }] }];
  } else {
    messages = spec.messages ?? [];
  }
  if (typeof spec.system === 'string') system.push(spec.system);
  else if (spec.system !== undefined) system.push(...spec.system);
  // Only a self-reported confidence needs the instruction; other scorers judge the answer as given.
  if (spec.strategy === 'cascade' && (policyFor(fleet.cascade, spec.task)?.scorer ?? 'self-report') === 'self-report') {
    system.push(fleet.cascade.confidencePrompt);
  }
  return { messages, system, ...(spec.inference === undefined ? {} : { inference: spec.inference }) };
}
