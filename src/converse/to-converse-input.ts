import type {
  ContentBlock as SdkContentBlock,
  ConverseCommandInput,
  Message as SdkMessage,
} from '@aws-sdk/client-bedrock-runtime';
import type { ModelRequest } from '../core/model-request.js';
import { takesSystemPrompt } from '../core/model-family.js';
import { decodeBlobSources } from './decode-blob-sources.js';

/**
 * For a model that takes no `system` field (see `takesSystemPrompt`), the
 * system texts go first in the first user message, as one leading text block.
 */
function foldSystem(messages: SdkMessage[], system: string[]): SdkMessage[] {
  const first = messages.findIndex((m) => m.role === 'user');
  const lead: SdkContentBlock = { text: system.join('\n\n') };
  if (first < 0) return [{ role: 'user', content: [lead] }, ...messages];
  return messages.map((m, i) => (i === first ? { ...m, content: [lead, ...(m.content ?? [])] } : m));
}

/** The fleet's request → the SDK's `ConverseCommandInput` (also fits ConverseStream). */
export function toConverseInput(request: ModelRequest): ConverseCommandInput {
  const messages: SdkMessage[] = request.messages.map((m, i) => ({
    role: m.role,
    // Text and other blocks travel as given (Converse validates them); blob bytes go as bytes.
    content: m.content.map((block, j) => decodeBlobSources(block, `messages.${i}.content.${j}`, request.modelId) as SdkContentBlock),
  }));
  const system = (request.system ?? []).filter((text) => text.trim() !== '');
  const input: ConverseCommandInput = { modelId: request.modelId, messages };
  if (system.length > 0) {
    if (takesSystemPrompt(request.modelId)) input.system = system.map((text) => ({ text }));
    else input.messages = foldSystem(messages, system);
  }
  if (request.inference !== undefined) input.inferenceConfig = { ...request.inference };
  if (request.toolConfig !== undefined) input.toolConfig = request.toolConfig as unknown as ConverseCommandInput['toolConfig'];
  if (request.guardrailConfig !== undefined) {
    input.guardrailConfig = request.guardrailConfig;
  }
  if (request.additionalModelRequestFields !== undefined) {
    input.additionalModelRequestFields = request.additionalModelRequestFields as ConverseCommandInput['additionalModelRequestFields'];
  }
  if (request.requestMetadata !== undefined) input.requestMetadata = request.requestMetadata;
  return input;
}
