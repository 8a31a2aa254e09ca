import { checkBlobSources } from './check-blob-sources.js';
import { EmulatedException } from './exceptions.js';

/** A Converse request body that passed Bedrock's checks. */
export interface CheckedRequest {
  messages: { role: 'user' | 'assistant'; content: Record<string, unknown>[] }[];
  system: string[];
  /** The request has a `system` field with at least one block (some models refuse one). */
  hasSystem: boolean;
  maxTokens: number | undefined;
  stopSequences: string[];
  hasGuardrailConfig: boolean;
}

const invalid = (message: string): EmulatedException => new EmulatedException('ValidationException', message);

const constraint = (value: unknown, at: string, rule: string): EmulatedException =>
  invalid(`1 validation error detected: Value '${JSON.stringify(value)}' at '${at}' failed to satisfy constraint: ${rule}`);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkRange(value: unknown, at: string, min: number, max: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value)) throw constraint(value, at, 'Member must be a number');
  if (value < min) throw constraint(value, at, `Member must have value greater than or equal to ${min}`);
  if (max !== undefined && value > max) throw constraint(value, at, `Member must have value less than or equal to ${max}`);
  return value;
}

function checkContent(content: unknown, at: string): Record<string, unknown>[] {
  if (!Array.isArray(content) || content.length === 0) {
    throw constraint(content ?? null, at, 'Member must have length greater than or equal to 1');
  }
  return content.map((block: unknown, i) => {
    const where = `${at}.${i}`;
    if (!isRecord(block) || Object.keys(block).length !== 1) {
      throw invalid(`The ContentBlock object at ${where} must set exactly one of its members.`);
    }
    if ('text' in block && (typeof block.text !== 'string' || block.text.trim() === '')) {
      throw invalid(`The text field in the ContentBlock object at ${where} is blank. Add text to the text field, and try again.`);
    }
    checkBlobSources(block, where);
    return block;
  });
}

/** Checks a Converse body the way Bedrock does; throws ValidationException with Bedrock's kind of message. */
export function validateConverseRequest(body: unknown): CheckedRequest {
  if (!isRecord(body)) throw invalid('The request body must be a JSON object.');
  const { messages, system, inferenceConfig } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw constraint(messages ?? null, 'messages', 'Member must have length greater than or equal to 1');
  }
  const checked = messages.map((m: unknown, i): CheckedRequest['messages'][number] => {
    const at = `messages.${i}.member`;
    if (!isRecord(m)) throw invalid(`The message at messages.${i} must be an object with role and content.`);
    if (m.role !== 'user' && m.role !== 'assistant') {
      throw constraint(m.role ?? null, `${at}.role`, 'Member must satisfy enum value set: [user, assistant]');
    }
    return { role: m.role, content: checkContent(m.content, `messages.${i}.content`) };
  });
  if (checked[0]?.role !== 'user') {
    throw invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  checked.forEach((m, i) => {
    if (i > 0 && checked[i - 1]?.role === m.role) {
      throw invalid(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    }
  });

  const systemTexts: string[] = [];
  if (system !== undefined) {
    if (!Array.isArray(system)) throw invalid('The system field must be a list of SystemContentBlock objects.');
    system.forEach((block: unknown, i) => {
      if (!isRecord(block) || Object.keys(block).length !== 1) {
        throw invalid(`The SystemContentBlock object at system.${i} must set exactly one of its members.`);
      }
      if (typeof block.text === 'string') systemTexts.push(block.text);
    });
  }

  let maxTokens: number | undefined;
  let stopSequences: string[] = [];
  if (inferenceConfig !== undefined) {
    if (!isRecord(inferenceConfig)) throw invalid('The inferenceConfig field must be an object.');
    checkRange(inferenceConfig.temperature, 'inferenceConfig.temperature', 0, 1);
    checkRange(inferenceConfig.topP, 'inferenceConfig.topP', 0, 1);
    maxTokens = checkRange(inferenceConfig.maxTokens, 'inferenceConfig.maxTokens', 1, undefined);
    if (inferenceConfig.stopSequences !== undefined) {
      if (!Array.isArray(inferenceConfig.stopSequences) || inferenceConfig.stopSequences.some((s) => typeof s !== 'string')) {
        throw constraint(inferenceConfig.stopSequences, 'inferenceConfig.stopSequences', 'Member must be a list of strings');
      }
      stopSequences = inferenceConfig.stopSequences as string[];
    }
  }
  return {
    messages: checked,
    system: systemTexts,
    hasSystem: Array.isArray(system) && system.length > 0,
    maxTokens,
    stopSequences,
    hasGuardrailConfig: body.guardrailConfig !== undefined,
  };
}

/** The text of the last user message, the part answers are matched against. */
export function lastUserText(request: CheckedRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m?.role === 'user') {
      return m.content.map((b) => (typeof b.text === 'string' ? b.text : '')).filter((t) => t !== '').join('\n');
    }
  }
  return '';
}

/**
 * The texts a replayed prompt may be: the last user message's text, then
 * the same without its first text block, and so on. A model that takes no
 * system prompt gets the system text as a leading block of the first user
 * message (see converse/to-converse-input.ts), which the recorded prompt
 * does not have.
 */
export function lastUserTextSuffixes(request: CheckedRequest): string[] {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m?.role === 'user') {
      const texts = m.content.map((b) => (typeof b.text === 'string' ? b.text : '')).filter((t) => t !== '');
      return texts.length === 0 ? [''] : texts.map((_, from) => texts.slice(from).join('\n'));
    }
  }
  return [''];
}

/** Every character the model reads, for input-token counts and window checks. */
export function inputText(request: CheckedRequest): string {
  const parts = [...request.system];
  for (const m of request.messages) for (const b of m.content) if (typeof b.text === 'string') parts.push(b.text);
  return parts.join('\n');
}

/** Images cost tokens too; Bedrock bills roughly this many per image. */
export const TOKENS_PER_IMAGE = 1_600;

export function imageCount(request: CheckedRequest): number {
  let n = 0;
  for (const m of request.messages) for (const b of m.content) if ('image' in b) n++;
  return n;
}
