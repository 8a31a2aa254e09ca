import type { Metrics } from 'bullmq';
import type { FleetConfig, TierConfig } from '../config/fleet-schema.js';
import { suggestReplicas } from '../core/scaling/suggest-replicas.js';
import type { FleetQueues } from './fleet-queues.js';

/** One tier's numbers; flat, so an autoscaler can read `tiers.<tier>.<field>`. */
export interface TierScaling {
  /** Jobs waiting for or held by the tier's workers: waiting + prioritized + delayed + active. */
  backlog: number;
  /** BullMQ workers connected to the tier's queue (one per worker process). */
  workers: number;
  /** Jobs the tier completed per minute over the last five whole minutes; 0 when unknown. */
  completedPerMinute: number;
  /** The per-replica rate the suggestion used: observed, or estimated from the tier's settings. */
  perReplicaPerMinute: number;
  suggestedReplicas: number;
  reason: string;
}

export interface ScalingReport {
  /** ISO time of the reading. */
  generatedAt: string;
  tiers: Record<string, TierScaling>;
}

export interface ReadScalingInput {
  fleet: FleetConfig;
  queues: FleetQueues;
  /** Each tier's backlog should drain within this long; 60 s by default. */
  targetDrainSeconds?: number;
  /** Bounds of every suggestion; 1 and 20 by default. */
  min?: number;
  max?: number;
  now?: () => number;
}

/** Minutes of BullMQ metrics the observed rate averages. */
export const METRICS_WINDOW_MINUTES = 5;
const MINUTE_MS = 60_000;

/**
 * Average completions per minute over the `window` whole minutes before
 * `nowMs`, from BullMQ's metrics; undefined when the queue has none (its
 * workers run without the `metrics` option) or they cover none of those
 * minutes.
 *
 * BullMQ keeps a counter (`meta.count`) and, when a job finishes in a later
 * minute than the last one recorded (`meta.prevTS`), pushes the jobs of each
 * minute in between onto `data`, newest first. So `data[i]` counts minute
 * `minute(prevTS) - 1 - i`, the jobs of minute(prevTS) itself are
 * `count - prevCount`, and no job finished after that minute.
 * `metrics.data` must hold at least the `window` newest points.
 */
export function completedPerMinuteFrom(metrics: Metrics, nowMs: number, window = METRICS_WINDOW_MINUTES): number | undefined {
  const { count, prevTS, prevCount } = metrics.meta;
  if (prevTS <= 0) return undefined;
  const lastMinute = Math.floor(prevTS / MINUTE_MS);
  // A worker's clock ahead of ours: treat its last minute as the current one.
  const thisMinute = Math.max(Math.floor(nowMs / MINUTE_MS), lastMinute);
  let total = 0;
  let covered = 0;
  for (let back = 1; back <= window; back += 1) {
    const minute = thisMinute - back;
    if (minute > lastMinute) {
      covered += 1; // nothing finished then
    } else if (minute === lastMinute) {
      total += Math.max(0, count - prevCount);
      covered += 1;
    } else {
      const point = metrics.data[lastMinute - 1 - minute];
      if (point === undefined) continue; // before metrics began
      total += point;
      covered += 1;
    }
  }
  return covered === 0 ? undefined : total / covered;
}

/** Per-replica rate assumed while none is observed: every slot busy, each call taking the tier's whole time limit. */
export function fallbackPerMinutePerReplica(tier: TierConfig): number {
  return (tier.concurrency * MINUTE_MS) / tier.callTimeoutMs;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Each tier's backlog, workers, recent throughput and suggested replicas:
 * the numbers `GET /v1/scaling` serves to an autoscaler such as KEDA's
 * metrics-api scaler. Observed throughput needs workers created with
 * BullMQ's `metrics` option; without it the suggestion uses the tier's
 * estimated rate.
 */
export async function readScaling(input: ReadScalingInput): Promise<ScalingReport> {
  const now = (input.now ?? Date.now)();
  const entries = await Promise.all(
    input.fleet.tiers.map(async (tier): Promise<[string, TierScaling]> => {
      const queue = input.queues.queue(tier.name);
      const [counts, workers, metrics] = await Promise.all([
        queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
        queue.getWorkersCount(),
        queue.getMetrics('completed', 0, METRICS_WINDOW_MINUTES - 1),
      ]);
      const backlog = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
      const completedPerMinute = completedPerMinuteFrom(metrics, now);
      const observedPerReplica = completedPerMinute === undefined ? undefined : completedPerMinute / Math.max(1, workers);
      const fallback = fallbackPerMinutePerReplica(tier);
      const suggestion = suggestReplicas({
        backlog,
        completedPerMinutePerReplica: observedPerReplica,
        currentReplicas: workers,
        fallbackPerMinutePerReplica: fallback,
        ...(input.targetDrainSeconds === undefined ? {} : { targetDrainSeconds: input.targetDrainSeconds }),
        ...(input.min === undefined ? {} : { min: input.min }),
        ...(input.max === undefined ? {} : { max: input.max }),
      });
      return [
        tier.name,
        {
          backlog,
          workers,
          completedPerMinute: round(completedPerMinute ?? 0),
          perReplicaPerMinute: round(observedPerReplica !== undefined && observedPerReplica > 0 ? observedPerReplica : fallback),
          suggestedReplicas: suggestion.replicas,
          reason: suggestion.reason,
        },
      ];
    }),
  );
  return { generatedAt: new Date(now).toISOString(), tiers: Object.fromEntries(entries) };
}
