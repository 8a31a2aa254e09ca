import type { Redis } from 'ioredis';
import type { ExperimentRef } from '../../core/experiments/experiment-shape.js';
import type { JobMeasurement } from '../../core/experiments/measure-job.js';
import type { VariantCounters } from '../../core/experiments/summarize-experiment.js';
import { fleetPrefix } from '../queue-names.js';

/** Measurements are kept this long after an experiment's variant last saw a job. */
export const EXPERIMENT_TTL_SECONDS = 30 * 86_400;
/** Enqueue-to-finish latencies kept per variant, newest first, for p50/p95. */
export const EXPERIMENT_LATENCY_SAMPLES = 2_000;

/** Names of every experiment with measurements (a set). */
export function experimentsKey(fleetName: string): string {
  return `${fleetPrefix(fleetName)}:experiments`;
}
/** Variants of one experiment with measurements (a set). */
export function experimentVariantsKey(fleetName: string, experiment: string): string {
  return `${fleetPrefix(fleetName)}:experiment:${experiment}:variants`;
}
/** One variant's counters (a hash: jobs, completed, failed, costUsd, escalated, goldenJudged, goldenCorrect). */
export function variantCountersKey(fleetName: string, ref: ExperimentRef): string {
  return `${fleetPrefix(fleetName)}:experiment:${ref.name}:variant:${ref.variant}`;
}
/** One variant's latency samples (a list, newest first). */
export function variantLatencyKey(fleetName: string, ref: ExperimentRef): string {
  return `${variantCountersKey(fleetName, ref)}:latency`;
}

export interface ExperimentStore {
  /** Counts jobs given each variant at enqueue. */
  recordAssigned(refs: readonly ExperimentRef[]): Promise<void>;
  /** Adds one finished job's measurement to its variant. */
  recordFinished(ref: ExperimentRef, measurement: JobMeasurement): Promise<void>;
  /** Names of the experiments with measurements, sorted. */
  names(): Promise<string[]>;
  /** Counters of an experiment's variants: `order` first (those without data too), then any others, sorted. */
  read(experiment: string, order?: readonly string[]): Promise<VariantCounters[]>;
}

async function execAll(multi: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const replies = await multi.exec();
  if (replies === null) throw new Error('experiments: the transaction was discarded');
  const failed = replies.find(([error]) => error !== null);
  if (failed?.[0]) throw failed[0];
  return replies.map(([, value]) => value);
}

const count = (hash: Record<string, string>, field: string): number => {
  const value = Number(hash[field] ?? 0);
  return Number.isFinite(value) ? value : 0;
};

/** Per-variant measurements of A/B experiments in Redis, under the fleet's prefix. */
export function createExperimentStore(deps: { redis: Redis; fleetName: string }): ExperimentStore {
  const { redis, fleetName } = deps;
  const ttl = EXPERIMENT_TTL_SECONDS;
  const register = (multi: ReturnType<Redis['multi']>, ref: ExperimentRef): void => {
    multi.sadd(experimentsKey(fleetName), ref.name).expire(experimentsKey(fleetName), ttl);
    multi.sadd(experimentVariantsKey(fleetName, ref.name), ref.variant).expire(experimentVariantsKey(fleetName, ref.name), ttl);
  };
  return {
    async recordAssigned(refs) {
      if (refs.length === 0) return;
      const multi = redis.multi();
      for (const ref of refs) {
        register(multi, ref);
        multi.hincrby(variantCountersKey(fleetName, ref), 'jobs', 1).expire(variantCountersKey(fleetName, ref), ttl);
      }
      await execAll(multi);
    },
    async recordFinished(ref, m) {
      const counters = variantCountersKey(fleetName, ref);
      const multi = redis.multi();
      register(multi, ref);
      multi.hincrby(counters, m.state, 1);
      multi.hincrbyfloat(counters, 'costUsd', m.costUsd);
      if (m.escalated) multi.hincrby(counters, 'escalated', 1);
      if (m.correct !== undefined) {
        multi.hincrby(counters, 'goldenJudged', 1);
        if (m.correct) multi.hincrby(counters, 'goldenCorrect', 1);
      }
      multi.expire(counters, ttl);
      if (m.latencyMs !== undefined) {
        const latency = variantLatencyKey(fleetName, ref);
        multi.lpush(latency, String(m.latencyMs)).ltrim(latency, 0, EXPERIMENT_LATENCY_SAMPLES - 1).expire(latency, ttl);
      }
      await execAll(multi);
    },
    async names() {
      return (await redis.smembers(experimentsKey(fleetName))).sort();
    },
    async read(experiment, order = []) {
      const recorded = (await redis.smembers(experimentVariantsKey(fleetName, experiment))).sort();
      const variants = [...order, ...recorded.filter((v) => !order.includes(v))];
      if (variants.length === 0) return [];
      const read = redis.multi();
      for (const variant of variants) {
        const ref = { name: experiment, variant };
        read.hgetall(variantCountersKey(fleetName, ref)).lrange(variantLatencyKey(fleetName, ref), 0, -1);
      }
      const replies = await execAll(read);
      return variants.map((variant, i): VariantCounters => {
        const hash = (replies[2 * i] ?? {}) as Record<string, string>;
        const latencies = (replies[2 * i + 1] ?? []) as string[];
        return {
          variant,
          jobs: count(hash, 'jobs'),
          completed: count(hash, 'completed'),
          failed: count(hash, 'failed'),
          costUsd: count(hash, 'costUsd'),
          escalated: count(hash, 'escalated'),
          goldenJudged: count(hash, 'goldenJudged'),
          goldenCorrect: count(hash, 'goldenCorrect'),
          latenciesMs: latencies.map(Number).filter((ms) => Number.isFinite(ms)),
        };
      });
    },
  };
}
