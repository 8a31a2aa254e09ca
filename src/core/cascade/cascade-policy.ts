import type { Extractor } from '../confidence/extract-answer.js';

export type ScorerName = 'self-report' | 'heuristic' | 'agreement' | 'judge' | 'custom';

/** One tier's voting under the agreement scorer. */
export interface TierVoting {
  /** Models of the tier asked in turn. */
  voters: number;
  /** Agreeing votes over every tier so far that accept; unset: the tier accepts only at the top of the path. */
  quorum?: number | undefined;
  /** The tier's models that vote, in order; the whole tier when unset. */
  models?: readonly string[] | undefined;
  /** Ask the voters at once rather than one after another. */
  parallel?: boolean | undefined;
}

/** How cascade jobs of some task types climb (the fleet file's `cascade.policies`). */
export interface CascadePolicy {
  name?: string | undefined;
  tasks?: readonly string[] | undefined;
  cascade: boolean;
  path?: readonly string[] | undefined;
  scorer: ScorerName;
  extractor?: Extractor | undefined;
  votes?: Readonly<Record<string, TierVoting>> | undefined;
  thresholds?: Readonly<Record<string, number>> | undefined;
  judge?: { model: string; prompt?: string | undefined } | undefined;
  module?: string | undefined;
}

/** The fleet's cascade settings a policy falls back on. */
export interface CascadeSettings {
  path?: readonly string[] | undefined;
  thresholds: Readonly<Record<string, number>>;
  policies?: readonly CascadePolicy[] | undefined;
}

/** The policy for a task: the first whose `tasks` hold it, or one without `tasks`. Undefined when none applies. */
export function policyFor(cascade: CascadeSettings, task: string): CascadePolicy | undefined {
  return cascade.policies?.find((policy) => policy.tasks === undefined || policy.tasks.includes(task));
}

/** A policy's name as results show it. */
export function policyLabel(policy: CascadePolicy, index?: number): string {
  if (policy.name !== undefined) return policy.name;
  if (policy.tasks !== undefined) return `policy for ${policy.tasks.join(', ')}`;
  return index === undefined ? 'default policy' : `policy ${index}`;
}

/** Confidence thresholds in force for a job under its policy (the fleet's when the policy sets none). */
export function thresholdsFor(cascade: CascadeSettings, policy: CascadePolicy | undefined): Readonly<Record<string, number>> {
  return policy?.thresholds ?? cascade.thresholds;
}
