import { parseStatField } from './stat-field.js';
import {
  FINISHED_STATES,
  MODEL_METRICS,
  TENANT_METRICS,
  TIER_METRICS,
  type FinishedState,
  type ModelMetric,
  type TenantMetric,
  type TierMetric,
} from './stat-increments.js';

/** One minute's statistics hash as read from Redis (values are decimal strings). */
export interface StatBucket {
  /** Epoch minute. */
  minute: number;
  fields: Readonly<Record<string, string>>;
}

export type Counts<M extends string> = Record<M, number>;

/** Finished jobs by how they ended; a job its client cancelled is not `failed`. */
export type JobCounts = Record<FinishedState, number>;

/** Completed, failed and cancelled: every job that finished. */
export const finishedJobs = (counts: JobCounts | undefined): number =>
  (counts?.completed ?? 0) + (counts?.failed ?? 0) + (counts?.cancelled ?? 0);

/** Sums over a window of buckets, keyed by entry tier, tier, model id and tenant. */
export interface StatTotals {
  /** Finished jobs per entry tier (`flows` for ensembles and pipelines). */
  jobs: Map<string, JobCounts>;
  tiers: Map<string, Counts<TierMetric>>;
  models: Map<string, Counts<ModelMetric>>;
  tenants: Map<string, Counts<TenantMetric>>;
}

const zeros = <M extends string>(metrics: readonly M[]): Counts<M> =>
  Object.fromEntries(metrics.map((m) => [m, 0])) as Counts<M>;

function entry<V>(map: Map<string, V>, key: string, fresh: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = fresh();
    map.set(key, value);
  }
  return value;
}

const numberOf = (text: string): number => {
  const value = Number(text);
  return Number.isFinite(value) ? value : 0;
};

const isOneOf = <M extends string>(metrics: readonly M[], metric: string): metric is M =>
  (metrics as readonly string[]).includes(metric);

/** Adds up every field of every bucket; fields this version does not know are skipped. */
export function sumStatBuckets(buckets: readonly StatBucket[]): StatTotals {
  const totals: StatTotals = { jobs: new Map(), tiers: new Map(), models: new Map(), tenants: new Map() };
  for (const bucket of buckets) {
    for (const [field, text] of Object.entries(bucket.fields)) {
      const parsed = parseStatField(field);
      if (parsed === undefined) continue;
      const value = numberOf(text);
      const { kind, name, metric } = parsed;
      if (kind === 'job' && isOneOf(FINISHED_STATES, metric)) {
        entry(totals.jobs, name, () => zeros(FINISHED_STATES))[metric] += value;
      } else if (kind === 'tier' && isOneOf(TIER_METRICS, metric)) {
        entry(totals.tiers, name, () => zeros(TIER_METRICS))[metric] += value;
      } else if (kind === 'model' && isOneOf(MODEL_METRICS, metric)) {
        entry(totals.models, name, () => zeros(MODEL_METRICS))[metric] += value;
      } else if (kind === 'tenant' && isOneOf(TENANT_METRICS, metric)) {
        entry(totals.tenants, name, () => zeros(TENANT_METRICS))[metric] += value;
      }
    }
  }
  return totals;
}

/** Per-minute figures of one tier, one value per minute of the window. */
export interface TierSeries {
  /** Jobs that entered at this tier and finished (completed, failed or cancelled) in the minute. */
  jobs: number[];
  /** Model calls this tier made in the minute, for jobs from any entry tier. */
  calls: number[];
}

/**
 * Per-minute series for each of `tiers` over `minutes` (ascending epoch
 * minutes); a minute without a bucket counts 0. Buckets outside the window
 * are ignored.
 */
export function tierSeries(
  buckets: readonly StatBucket[],
  minutes: readonly number[],
  tiers: readonly string[],
): Map<string, TierSeries> {
  const index = new Map(minutes.map((minute, i) => [minute, i]));
  const series = new Map<string, TierSeries>(
    tiers.map((tier) => [tier, { jobs: minutes.map(() => 0), calls: minutes.map(() => 0) }]),
  );
  for (const bucket of buckets) {
    const at = index.get(bucket.minute);
    if (at === undefined) continue;
    const totals = sumStatBuckets([bucket]);
    for (const [tier, line] of series) {
      line.jobs[at] = finishedJobs(totals.jobs.get(tier));
      line.calls[at] = totals.tiers.get(tier)?.calls ?? 0;
    }
  }
  return series;
}
