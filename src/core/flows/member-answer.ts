/** One ensemble member's answer, as the combiners see it. */
export interface MemberAnswer {
  /** Position of the member in the ensemble, from 1. */
  member: number;
  tier: string;
  /** The model that answered. */
  model: string;
  text: string;
  weight: number;
  /** What the extractor found in the text; undefined when nothing (an abstention). */
  answer?: string | undefined;
  /** A guardrail or content filter refused: the member abstains, whatever its text. */
  refused?: true | undefined;
}

/** The one answer an ensemble ends with. */
export interface CombinedAnswer {
  text: string;
  /** In [0, 1]. */
  confidence: number;
  /** Why this answer, in words (shown as the answer's `acceptedBecause`). */
  reason: string;
}

export type CombineOutcome = { ok: true; combined: CombinedAnswer } | { ok: false; reason: string };

/** A number as an answer text: no float noise (0.1 + 0.2 shows as 0.3). */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}
