import type { CombineOutcome } from './member-answer.js';

/**
 * Reads what a custom combiner returned: `{ text, confidence?, reason? }`.
 * Confidence is 1 when the combiner gives none. Anything else is refused
 * with a reason naming what was wrong. Pure.
 */
export function checkCustomResult(value: unknown, source: string): CombineOutcome {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `custom combiner ${source} returned ${value === null ? 'null' : typeof value}; expected an object { text, confidence?, reason? }` };
  }
  const { text, confidence, reason } = value as Record<string, unknown>;
  if (typeof text !== 'string') return { ok: false, reason: `custom combiner ${source} returned no "text" string` };
  if (confidence !== undefined && (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1))) {
    return { ok: false, reason: `custom combiner ${source} returned confidence ${JSON.stringify(confidence)}; expected a number in [0, 1]` };
  }
  if (reason !== undefined && typeof reason !== 'string') return { ok: false, reason: `custom combiner ${source} returned a "reason" that is not a string` };
  return {
    ok: true,
    combined: { text, confidence: confidence ?? 1, reason: `custom combiner ${source}${reason === undefined || reason === '' ? '' : `: ${reason}`}` },
  };
}
