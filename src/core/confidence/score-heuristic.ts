import { scoreConfidence, type ConfidenceScore } from '../cascade/score-confidence.js';
import type { StopReason } from '../model-result.js';

/** Phrases of an unsure answer. */
const HEDGE = /\b(i('m| am) not (sure|certain)|i don'?t know|hard to say|cannot (be )?determined?|can'?t (be )?(sure|determined?)|unclear|it depends|probably|possibly|might be|may be|i think|i guess|not enough information)\b/i;

/** Confidence of a plain answer with no self-report. */
export const CLEAN = 0.9;
/** Confidence of an answer that hedges. */
export const HEDGED = 0.4;

/**
 * Confidence from the answer alone, for models not asked to report one: an
 * answer cut off, empty, refused or blocked scores as the self-report scorer
 * caps it; one that hedges scores 0.4; anything else 0.9. Pure.
 */
export function scoreHeuristic(answer: { text: string; stopReason: StopReason }): ConfidenceScore {
  const base = scoreConfidence(answer);
  if (base.capped !== undefined) return base;
  return { ...base, confidence: HEDGE.test(base.text) ? HEDGED : CLEAN };
}
