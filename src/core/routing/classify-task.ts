import type { RenderedRequest } from '../job/render-request.js';

/** What the classifier is configured with (the config layer's ClassifierConfig satisfies it). */
export interface ClassifierSettings {
  labels: readonly string[];
  /** The label when the answer names none; the job's own task when unset. */
  default?: string | undefined;
  /** With `{{text}}` (required) and `{{labels}}` (optional). */
  prompt?: string | undefined;
  maxInputChars: number;
  maxTokens: number;
}

export const CLASSIFIER_SYSTEM_PROMPT =
  'You sort requests into categories. Answer with exactly one of the labels you are given and nothing else.';

export const DEFAULT_CLASSIFIER_PROMPT = [
  'Which one of these labels best describes the task below? Labels: {{labels}}.',
  'Answer with the label only.',
  '',
  'Task:',
  '{{text}}',
].join('\n');

/** The job's text as the classifier sees it: cut to `maxChars`, marking the cut. */
function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}\n[… ${text.length - maxChars} more characters]`;
}

/**
 * The classification call: the configured prompt (or the default) with the
 * labels and the job's text (cut to `maxInputChars`), a system prompt asking
 * for one label, a small output budget and temperature 0. Pure.
 */
export function buildClassificationRequest(settings: ClassifierSettings, text: string): RenderedRequest {
  const prompt = (settings.prompt ?? DEFAULT_CLASSIFIER_PROMPT)
    .split('{{labels}}')
    .join(settings.labels.join(', '))
    .split('{{text}}')
    .join(clip(text, settings.maxInputChars));
  return {
    system: [CLASSIFIER_SYSTEM_PROMPT],
    messages: [{ role: 'user', content: [{ text: prompt }] }],
    inference: { maxTokens: settings.maxTokens, temperature: 0 },
  };
}

/** The label a classification answer gives, and how it was read. */
export interface ParsedLabel {
  label: string;
  /** `exact`: the answer is the label; `mentioned`: the only label the answer names; `default`: neither. */
  how: 'exact' | 'mentioned' | 'default';
  /** For the route reason, e.g. `answered "billing"`. */
  note: string;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Trims whitespace, quotes, backticks and trailing punctuation, and a leading "label:". */
const normalize = (s: string): string =>
  s
    .trim()
    .replace(/^label\s*:\s*/i, '')
    .replace(/^["'`*]+|["'`*.!,;:]+$/g, '')
    .trim()
    .toLowerCase();

/**
 * Reads the label from a classification answer: the answer itself when it
 * is a label (in any case, quotes and trailing punctuation aside); else the
 * one label it names as a whole word; else (no label, or several) the
 * fallback. Pure.
 */
export function parseLabel(answer: string, labels: readonly string[], fallback: string): ParsedLabel {
  const shown = answer.trim().length > 60 ? `${answer.trim().slice(0, 60)}…` : answer.trim();
  const exact = labels.find((label) => label.toLowerCase() === normalize(answer));
  if (exact !== undefined) return { label: exact, how: 'exact', note: `answered "${shown}"` };
  const names = (label: string, text: string): boolean =>
    new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegex(label)}(?![\\p{L}\\p{N}_])`, 'iu').test(text);
  const mentioned = labels.filter((label) => names(label, answer));
  // "billing" inside "billing-dispute" is not a second label: a label only named within a longer one it is part of does not count.
  const named = mentioned.filter(
    (label) =>
      !mentioned.some(
        (longer) => longer.length > label.length && names(label, longer) && !names(label, answer.replace(new RegExp(escapeRegex(longer), 'giu'), ' ')),
      ),
  );
  if (named.length === 1 && named[0] !== undefined) {
    return { label: named[0], how: 'mentioned', note: `answered "${shown}", which names only "${named[0]}"` };
  }
  const why = named.length === 0 ? 'which names no label' : `which names several labels (${named.join(', ')})`;
  return { label: fallback, how: 'default', note: `answered "${shown}", ${why}, so the default "${fallback}"` };
}

/** The text of a request's messages (system prompts aside), as the rules router reads it. */
export function requestText(request: RenderedRequest): string {
  const texts: string[] = [];
  for (const message of request.messages) {
    for (const block of message.content) if ('text' in block && typeof block.text === 'string') texts.push(block.text);
  }
  return texts.join('\n');
}
