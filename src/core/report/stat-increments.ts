import { gotAnswer, type Attempt } from '../job/attempt.js';
import { statField } from './stat-field.js';

/** How a client's job ended, for the statistics: a job its client cancelled is `cancelled`, not `failed`. */
export const FINISHED_STATES = ['completed', 'failed', 'cancelled'] as const;
export type FinishedState = (typeof FINISHED_STATES)[number];
export const isFinishedState = (value: unknown): value is FinishedState => (FINISHED_STATES as readonly unknown[]).includes(value);

/** What the statistics need to know of a client's job that has finished for good. */
export interface FinishedJobFacts {
  /** The tier whose queue the job entered (`flows` for an ensemble or a pipeline). */
  entryTier: string;
  state: FinishedState;
  tenant: string;
  /** Every attempt the job made, on every tier. */
  attempts: readonly Attempt[];
}

/** Add `by` to one field of a statistics bucket; `float` when `by` may be fractional (USD, sub-ms latency). */
export interface StatIncrement {
  field: string;
  by: number;
  float: boolean;
}

/**
 * Metrics kept per model and per tier:
 * - `calls`: model calls made (attempts skipped by an open breaker are `breakerSkips`;
 *   calls cut off by a client's cancel or a worker's shutdown are `cancelled`);
 * - `errors`: calls that failed (a cancelled call is not the model's error);
 * - `answered`: calls that got an answer (kept, escalated, voted, judged, classified);
 * - `decisions` (tier): answers the tier kept or escalated past (outcome `accepted`
 *   or `escalated`), cache hits included: one per job (or flow member) per tier,
 *   the denominator of the escalation rate;
 * - `escalations` (tier): decisions to escalate, cache hits included: the answer
 *   was not confident enough (or the voters did not agree), so a higher tier was asked;
 * - `cancelled` (model): calls aborted because the client cancelled the job or its
 *   worker shut down; neither calls nor errors;
 * - `fallbacks`: answers from a model tried after an earlier one of its tier failed or was skipped;
 * - `latencyMs` (model): summed latency of answered calls, for their mean;
 * - `cacheHits` (model): answers served from the response cache, which are
 *   not calls (no call, tokens, cost or latency of theirs counts).
 */
export const MODEL_METRICS = [
  'calls', 'errors', 'answered', 'fallbacks', 'breakerSkips', 'inputTokens', 'outputTokens', 'costUsd', 'latencyMs', 'cacheHits', 'cancelled',
] as const;
export type ModelMetric = (typeof MODEL_METRICS)[number];
export const TIER_METRICS = ['calls', 'errors', 'answered', 'decisions', 'escalations', 'fallbacks'] as const;
export type TierMetric = (typeof TIER_METRICS)[number];
export const TENANT_METRICS = ['jobs', 'costUsd'] as const;
export type TenantMetric = (typeof TENANT_METRICS)[number];

const FLOAT_METRICS: ReadonlySet<string> = new Set(['costUsd']);


/** A call aborted by its job's cancel or its worker's shutdown: it says nothing of the model. */
export function wasCancelled(attempt: Attempt): boolean {
  return attempt.outcome === 'error' && attempt.error?.kind === 'cancelled';
}

/** USD sums rounded to a micro-cent, as prices are, so float noise does not pile up in Redis. */
const roundUsd = (usd: number): number => Math.round(usd * 1e8) / 1e8;

/**
 * The bucket fields one finished job adds to, merged per field and without
 * zeros: jobs per entry tier and state (completed, failed or cancelled),
 * per-model and per-tier call counts, tokens, cost and latency, decisions
 * and escalations per tier, and jobs and cost per tenant.
 */
export function statIncrements(job: FinishedJobFacts): StatIncrement[] {
  const sums = new Map<string, number>();
  const add = (field: string, by: number): void => {
    if (by !== 0 && Number.isFinite(by)) sums.set(field, (sums.get(field) ?? 0) + by);
  };
  const model = (id: string, metric: ModelMetric, by: number): void => add(statField('model', id, metric), by);
  const tier = (name: string, metric: TierMetric, by: number): void => add(statField('tier', name, metric), by);

  add(statField('job', job.entryTier, job.state), 1);
  add(statField('tenant', job.tenant, 'jobs'), 1);
  let cost = 0;
  for (const attempt of job.attempts) {
    // Decisions and escalations count cache hits too: a cached answer is kept or escalated past like a fresh one.
    tier(attempt.tier, 'decisions', attempt.outcome === 'accepted' || attempt.outcome === 'escalated' ? 1 : 0);
    tier(attempt.tier, 'escalations', attempt.outcome === 'escalated' ? 1 : 0);
    if (attempt.cached === true) {
      model(attempt.model, 'cacheHits', 1);
      continue;
    }
    const answered = gotAnswer(attempt);
    const cancelled = wasCancelled(attempt);
    const called = attempt.outcome !== 'breaker-open' && attempt.outcome !== 'skipped' && !cancelled;
    const failed = attempt.outcome === 'error' && !cancelled;
    const fallback = answered && attempt.fallback;
    model(attempt.model, 'calls', called ? 1 : 0);
    model(attempt.model, 'errors', failed ? 1 : 0);
    model(attempt.model, 'cancelled', cancelled ? 1 : 0);
    model(attempt.model, 'answered', answered ? 1 : 0);
    model(attempt.model, 'fallbacks', fallback ? 1 : 0);
    model(attempt.model, 'breakerSkips', called || cancelled ? 0 : 1);
    model(attempt.model, 'inputTokens', attempt.usage?.inputTokens ?? 0);
    model(attempt.model, 'outputTokens', attempt.usage?.outputTokens ?? 0);
    model(attempt.model, 'costUsd', attempt.costUsd);
    model(attempt.model, 'latencyMs', answered ? attempt.latencyMs : 0);
    tier(attempt.tier, 'calls', called ? 1 : 0);
    tier(attempt.tier, 'errors', failed ? 1 : 0);
    tier(attempt.tier, 'answered', answered ? 1 : 0);
    tier(attempt.tier, 'fallbacks', fallback ? 1 : 0);
    cost += attempt.costUsd;
  }
  add(statField('tenant', job.tenant, 'costUsd'), cost);

  return [...sums].map(([field, by]) => {
    const usd = FLOAT_METRICS.has(field.slice(field.lastIndexOf('|') + 1));
    const value = usd ? roundUsd(by) : by;
    return { field, by: value, float: usd || !Number.isInteger(value) };
  });
}

/** Latencies of the calls that got an answer (not cache hits), per model, in attempt order: the samples for p50/p95. */
export function latencySamples(attempts: readonly Attempt[]): Map<string, number[]> {
  const samples = new Map<string, number[]>();
  for (const attempt of attempts) {
    if (!gotAnswer(attempt) || attempt.cached === true || !Number.isFinite(attempt.latencyMs)) continue;
    const list = samples.get(attempt.model);
    if (list === undefined) samples.set(attempt.model, [attempt.latencyMs]);
    else list.push(attempt.latencyMs);
  }
  return samples;
}
