/** Where a cascade job goes after one tier answered. */
export type EscalationDecision =
  | { action: 'accept'; reason: string }
  | { action: 'escalate'; toTier: string; reason: string };

export interface EscalationInput {
  /** The tiers of the job's path, lowest first. */
  path: readonly string[];
  /** The tier that just answered. */
  tier: string;
  confidence: number;
  /** Confidence a tier needs to accept its own answer; tiers not listed accept anything. */
  thresholds: Readonly<Record<string, number>>;
}

/** Accept the answer, or send the job to the next tier of its path. A pure function. */
export function decideEscalation(input: EscalationInput): EscalationDecision {
  const at = input.path.indexOf(input.tier);
  if (at < 0) throw new Error(`tier "${input.tier}" is not on the cascade path ${input.path.join(' → ')}`);
  const threshold = input.thresholds[input.tier];
  const shown = input.confidence.toFixed(2);
  if (threshold === undefined) return { action: 'accept', reason: `tier ${input.tier} has no threshold` };
  if (input.confidence >= threshold) {
    return { action: 'accept', reason: `confidence ${shown} ≥ ${threshold} on ${input.tier}` };
  }
  const next = input.path[at + 1];
  if (next === undefined) {
    return { action: 'accept', reason: `confidence ${shown} < ${threshold}, but ${input.tier} is the top of the path` };
  }
  return { action: 'escalate', toTier: next, reason: `confidence ${shown} < ${threshold} on ${input.tier}` };
}

/** Why no grade could change what this tier decides (so a judge is not worth a call), or undefined when one could. Pure. */
export function gradeCannotMatter(input: Omit<EscalationInput, 'confidence'>): string | undefined {
  if (input.path.at(-1) === input.tier) return 'top of the path';
  if (input.thresholds[input.tier] === undefined) return `tier ${input.tier} has no threshold`;
  return undefined;
}
