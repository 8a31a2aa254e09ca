import type { StopReason } from '../model-result.js';

/** What the scorer makes of one answer. */
export interface ConfidenceScore {
  /** In [0, 1]. */
  confidence: number;
  /** The answer with the self-report line removed. */
  text: string;
  /** The model's own figure, when it gave one. */
  selfReported: number | undefined;
  /** Why the heuristic floor capped the score, when it did. */
  capped: 'max-tokens' | 'empty' | 'refusal' | 'guardrail' | undefined;
}

/** The line the prompt asks the model to end with: `Confidence: 0.8` or `Confidence: 80%`. */
const SELF_REPORT = /^[ \t]*\**confidence\**[ \t]*[:=]\**[ \t]*(\d{1,3}(?:\.\d+)?)[ \t]*(%?)[ \t]*\**[ \t]*$/im;

const REFUSAL =
  /^\s*(i('m| am) (sorry|unable|not able)|i can(no|')t (help|answer|assist|provide)|as an ai\b|sorry, (but )?i can)/i;

/** What a heuristic finding caps confidence at. */
const CAP = { 'max-tokens': 0.2, empty: 0, refusal: 0.1, guardrail: 0 } as const;

/** With no self-report, an answer that passes the heuristics gets this. */
export const DEFAULT_CONFIDENCE = 0.5;

/**
 * Confidence of one answer: the model's self-report (parsed out of the text
 * and removed), floored by heuristics: cut off at max tokens, empty, a
 * refusal, or blocked by a guardrail score low whatever the model says.
 */
export function scoreConfidence(answer: { text: string; stopReason: StopReason }): ConfidenceScore {
  const match = SELF_REPORT.exec(answer.text);
  let selfReported: number | undefined;
  let text = answer.text;
  if (match?.[1] !== undefined) {
    const value = Number(match[1]);
    const scaled = match[2] === '%' || value > 1 ? value / 100 : value;
    if (scaled >= 0 && scaled <= 1) selfReported = scaled;
    text = (answer.text.slice(0, match.index) + answer.text.slice(match.index + match[0].length)).trim();
  }

  let capped: ConfidenceScore['capped'];
  if (answer.stopReason === 'guardrail_intervened' || answer.stopReason === 'content_filtered') capped = 'guardrail';
  else if (text.trim() === '') capped = 'empty';
  else if (answer.stopReason === 'max_tokens') capped = 'max-tokens';
  else if (REFUSAL.test(text)) capped = 'refusal';

  const base = selfReported ?? DEFAULT_CONFIDENCE;
  const confidence = capped === undefined ? base : Math.min(base, CAP[capped]);
  return { confidence, text, selfReported, capped };
}
