import type { Redis } from 'ioredis';
import type { FleetConfig } from '../../config/fleet-schema.js';
import { summarizeBreakerReports, type ReportedBreakerState } from '../../core/report/breaker-report.js';
import { latencyPercentiles } from '../../core/report/latency-percentiles.js';
import { minuteStart, minuteWindow } from '../../core/report/minute-window.js';
import { ratio } from '../../core/report/ratio.js';
import { parseRecentJob, type RecentJob } from '../../core/report/recent-job.js';
import { sumStatBuckets, tierSeries, type StatBucket } from '../../core/report/sum-stat-buckets.js';
import { breakersKey } from '../../resilience/breaker-state-publisher.js';
import type { FleetQueues } from '../fleet-queues.js';
import { LATENCY_SAMPLES_KEPT, latencyKey, recentJobsKey, statsBucketKey } from './stats-keys.js';

/** Jobs in a tier's queue now, by BullMQ state. */
export interface QueueCounts {
  waiting: number;
  prioritized: number;
  delayed: number;
  active: number;
  waitingChildren: number;
  completed: number;
  failed: number;
  /** Jobs waiting for a worker: waiting + prioritized + delayed. */
  depth: number;
}

export interface TierStats {
  tier: string;
  queue: QueueCounts;
  /** Jobs that entered at this tier and finished in the window. */
  jobs: { completed: number; failed: number };
  /** One value per minute of the window (see `window.minuteStarts`). */
  jobsPerMinute: number[];
  callsPerMinute: number[];
  /** Model calls this tier made in the window, for jobs from any entry tier. */
  calls: number;
  answered: number;
  escalations: number;
  fallbacks: number;
  errors: number;
  /** Escalations per answered call, in [0, 1]. */
  escalationRate: number;
  /** Answers from a fallback model per answered call, in [0, 1]. */
  fallbackRate: number;
}

export interface ModelStats {
  model: string;
  /** The tier that lists it; empty for a model no longer in the fleet. */
  tier: string;
  calls: number;
  errors: number;
  /** Errors per call, in [0, 1]. */
  errorRate: number;
  answered: number;
  fallbacks: number;
  breakerSkips: number;
  /** Answers served from the response cache (not calls). */
  cacheHits: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Mean latency of answered calls in the window. */
  meanLatencyMs: number;
  /** Over the latest answered calls (up to 500), whenever they were made. */
  p50LatencyMs: number;
  p95LatencyMs: number;
  latencySamples: number;
  /** The worst state across live worker processes; null when no live process reports the model. */
  breaker: ReportedBreakerState | null;
  breakerProcesses: Record<ReportedBreakerState, number>;
}

export interface TenantStats {
  tenant: string;
  jobs: number;
  costUsd: number;
}

export interface FleetStats {
  fleet: string;
  /** Epoch ms. */
  generatedAt: number;
  window: { minutes: number; minuteStarts: number[] };
  /** In the fleet's tier order. */
  tiers: TierStats[];
  /** The fleet's models in tier order, then any others seen in the window. */
  models: ModelStats[];
  /** Highest cost first. */
  tenants: TenantStats[];
  totals: {
    jobs: number;
    completed: number;
    failed: number;
    calls: number;
    errors: number;
    escalations: number;
    fallbacks: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    /** Jobs waiting for a worker across tiers. */
    depth: number;
  };
  /** Latest finished jobs, newest first. */
  recentJobs: RecentJob[];
}

export interface ReadFleetStatsDeps {
  redis: Redis;
  fleetName: string;
  queues: FleetQueues;
  fleet: FleetConfig;
  /** Length of the window, in minutes (the buckets are kept two days). */
  minutes?: number;
  /** How many recent jobs to return. */
  recentJobs?: number;
  now?: () => number;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

function queueCounts(raw: Readonly<Record<string, number>>): QueueCounts {
  const n = (type: string): number => raw[type] ?? 0;
  return {
    waiting: n('waiting'),
    prioritized: n('prioritized'),
    delayed: n('delayed'),
    active: n('active'),
    waitingChildren: n('waiting-children'),
    completed: n('completed'),
    failed: n('failed'),
    depth: n('waiting') + n('prioritized') + n('delayed'),
  };
}

/** Replies of a pipeline, each an error or a value; throws the first error. */
function values(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error('fleet statistics: the pipeline was discarded');
  return replies.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
}

/**
 * The dashboard's view of the fleet: queue counts now; throughput,
 * escalation and fallback rates per tier, calls, errors, cost and latency per
 * model, and cost per tenant over the last `minutes`; the worst live breaker
 * state per model; and the latest finished jobs.
 */
export async function readFleetStats(deps: ReadFleetStatsDeps): Promise<FleetStats> {
  const nowMs = (deps.now ?? Date.now)();
  const minutes = minuteWindow(nowMs, deps.minutes ?? 60);
  const tierNames = deps.fleet.tiers.map((t) => t.name);
  const recentCount = Math.max(0, deps.recentJobs ?? 20);

  const read = deps.redis.pipeline();
  for (const minute of minutes) read.hgetall(statsBucketKey(deps.fleetName, minute));
  read.hgetall(breakersKey(deps.fleetName));
  read.lrange(recentJobsKey(deps.fleetName), 0, recentCount - 1);
  const [replies, counts] = await Promise.all([
    read.exec(),
    Promise.all(tierNames.map((tier) => deps.queues.queue(tier).getJobCounts())),
  ]);
  const got = values(replies);
  const buckets: StatBucket[] = minutes.map((minute, i) => ({ minute, fields: (got[i] ?? {}) as Record<string, string> }));
  const breakerHash = (got[minutes.length] ?? {}) as Record<string, string>;
  const recentJobs = ((got[minutes.length + 1] ?? []) as string[]).flatMap((text) => parseRecentJob(text) ?? []);

  const totals = sumStatBuckets(buckets);
  const tierOfModel = new Map(deps.fleet.tiers.flatMap((t) => t.models.map((m) => [m.id, t.name] as const)));
  const modelIds = [...new Set([...tierOfModel.keys(), ...totals.models.keys()])];

  const samples = deps.redis.pipeline();
  for (const model of modelIds) samples.lrange(latencyKey(deps.fleetName, model), 0, LATENCY_SAMPLES_KEPT - 1);
  const latencies = values(await samples.exec()).map((list) => (list as string[]).map(Number));

  const breakers = summarizeBreakerReports(breakerHash, nowMs);
  if (breakers.expired.length > 0) await deps.redis.hdel(breakersKey(deps.fleetName), ...breakers.expired);

  const series = tierSeries(buckets, minutes, tierNames);
  const tiers: TierStats[] = tierNames.map((tier, i) => {
    const t = totals.tiers.get(tier);
    const jobs = totals.jobs.get(tier) ?? { completed: 0, failed: 0 };
    const answered = t?.answered ?? 0;
    return {
      tier,
      queue: queueCounts(counts[i] ?? {}),
      jobs: { ...jobs },
      jobsPerMinute: series.get(tier)?.jobs ?? [],
      callsPerMinute: series.get(tier)?.calls ?? [],
      calls: t?.calls ?? 0,
      answered,
      escalations: t?.escalations ?? 0,
      fallbacks: t?.fallbacks ?? 0,
      errors: t?.errors ?? 0,
      escalationRate: ratio(t?.escalations ?? 0, answered),
      fallbackRate: ratio(t?.fallbacks ?? 0, answered),
    };
  });

  const models: ModelStats[] = modelIds.map((model, i) => {
    const m = totals.models.get(model);
    const percentiles = latencyPercentiles(latencies[i] ?? []);
    const breaker = breakers.models.get(model);
    return {
      model,
      tier: tierOfModel.get(model) ?? '',
      calls: m?.calls ?? 0,
      errors: m?.errors ?? 0,
      errorRate: ratio(m?.errors ?? 0, m?.calls ?? 0),
      answered: m?.answered ?? 0,
      fallbacks: m?.fallbacks ?? 0,
      breakerSkips: m?.breakerSkips ?? 0,
      cacheHits: m?.cacheHits ?? 0,
      inputTokens: m?.inputTokens ?? 0,
      outputTokens: m?.outputTokens ?? 0,
      costUsd: round(m?.costUsd ?? 0, 8),
      meanLatencyMs: round(ratio(m?.latencyMs ?? 0, m?.answered ?? 0), 1),
      p50LatencyMs: percentiles.p50,
      p95LatencyMs: percentiles.p95,
      latencySamples: percentiles.samples,
      breaker: breaker?.state ?? null,
      breakerProcesses: breaker?.processes ?? { closed: 0, 'half-open': 0, open: 0 },
    };
  });

  const tenants: TenantStats[] = [...totals.tenants]
    .map(([tenant, t]) => ({ tenant, jobs: t.jobs, costUsd: round(t.costUsd, 8) }))
    .sort((a, b) => b.costUsd - a.costUsd || a.tenant.localeCompare(b.tenant));

  const sum = <T>(items: readonly T[], of: (item: T) => number): number => items.reduce((s, item) => s + of(item), 0);
  const completed = sum(tiers, (t) => t.jobs.completed);
  const failed = sum(tiers, (t) => t.jobs.failed);
  return {
    fleet: deps.fleetName,
    generatedAt: nowMs,
    window: { minutes: minutes.length, minuteStarts: minutes.map(minuteStart) },
    tiers,
    models,
    tenants,
    totals: {
      jobs: completed + failed,
      completed,
      failed,
      calls: sum(models, (m) => m.calls),
      errors: sum(models, (m) => m.errors),
      escalations: sum(tiers, (t) => t.escalations),
      fallbacks: sum(models, (m) => m.fallbacks),
      inputTokens: sum(models, (m) => m.inputTokens),
      outputTokens: sum(models, (m) => m.outputTokens),
      costUsd: round(sum(models, (m) => m.costUsd), 8),
      depth: sum(tiers, (t) => t.queue.depth),
    },
    recentJobs,
  };
}
