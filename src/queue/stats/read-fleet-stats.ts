import type { Redis } from 'ioredis';
import type { FleetConfig } from '../../config/fleet-schema.js';
import { FLOWS_ENTRY } from '../../core/flows/flow-definitions.js';
import { summarizeBreakerReports, type ReportedBreakerState } from '../../core/report/breaker-report.js';
import { latencyPercentiles } from '../../core/report/latency-percentiles.js';
import { minuteStart, minuteWindow } from '../../core/report/minute-window.js';
import { ratio } from '../../core/report/ratio.js';
import { parseRecentJob, type RecentJob } from '../../core/report/recent-job.js';
import { finishedJobs, sumStatBuckets, tierSeries, type JobCounts, type StatBucket } from '../../core/report/sum-stat-buckets.js';
import { breakersKey } from '../../resilience/breaker-state-publisher.js';
import type { FleetQueues } from '../fleet-queues.js';
import { LATENCY_SAMPLES_KEPT, latencyKey, recentJobsKey, statsBucketKey } from './stats-keys.js';

/** Jobs in a queue now, by BullMQ state. */
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
  /** Jobs that entered at this tier and finished in the window; a job its client cancelled is `cancelled`, not `failed`. */
  jobs: JobCounts;
  /** One value per minute of the window (see `window.minuteStarts`). */
  jobsPerMinute: number[];
  callsPerMinute: number[];
  /** Model calls this tier made in the window, for jobs from any entry tier (calls cut off by a cancel or a shutdown are not counted). */
  calls: number;
  answered: number;
  /** Answers this tier kept or escalated past (cache hits included): one per job, or flow member, that reached the tier. */
  decisions: number;
  escalations: number;
  fallbacks: number;
  errors: number;
  /**
   * Escalations per decision, in [0, 1]: the share of the jobs this tier
   * decided on that it sent up (cache hits included; an agreement cascade's
   * voters, judges and classifiers are not decisions).
   */
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
  /** Calls aborted by a client's cancel or a worker's shutdown: neither calls nor errors. */
  cancelledCalls: number;
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

/** The flows queue (ensemble and pipeline parents), counted as an entry tier named `flows`; its model calls count under their tiers. */
export interface FlowEntryStats {
  entry: typeof FLOWS_ENTRY;
  /** Whether the fleet file defines any ensemble or pipeline. */
  configured: boolean;
  queue: QueueCounts;
  /** Flow jobs that finished in the window. */
  jobs: JobCounts;
  /** One value per minute of the window. */
  jobsPerMinute: number[];
}

export interface FleetStats {
  fleet: string;
  /** Epoch ms. */
  generatedAt: number;
  window: { minutes: number; minuteStarts: number[] };
  /** In the fleet's tier order. */
  tiers: TierStats[];
  /** Ensemble and pipeline jobs, which enter through the flows queue. */
  flows: FlowEntryStats;
  /** The fleet's models in tier order, then any others seen in the window. */
  models: ModelStats[];
  /** Highest cost first. */
  tenants: TenantStats[];
  /** Jobs over every entry tier (the tiers and `flows`). */
  totals: {
    /** Finished: completed, failed and cancelled. */
    jobs: number;
    completed: number;
    failed: number;
    /** Cancelled by their clients; not failed. */
    cancelled: number;
    calls: number;
    errors: number;
    escalations: number;
    fallbacks: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    /** Jobs waiting for a worker across tiers and the flows queue. */
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
 * The dashboard's view of the fleet: queue counts now (the tiers' and the
 * flows queue's); finished jobs per entry tier (`flows` for ensembles and
 * pipelines), throughput, escalation and fallback rates per tier, calls, errors, cost and latency per
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
  const [replies, counts, flowCounts] = await Promise.all([
    read.exec(),
    Promise.all(tierNames.map((tier) => deps.queues.queue(tier).getJobCounts())),
    deps.queues.flows.getJobCounts(),
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

  const series = tierSeries(buckets, minutes, [...tierNames, FLOWS_ENTRY]);
  const jobsOf = (entry: string): JobCounts => ({ completed: 0, failed: 0, cancelled: 0, ...totals.jobs.get(entry) });
  const tiers: TierStats[] = tierNames.map((tier, i) => {
    const t = totals.tiers.get(tier);
    const answered = t?.answered ?? 0;
    const decisions = t?.decisions ?? 0;
    const escalations = t?.escalations ?? 0;
    return {
      tier,
      queue: queueCounts(counts[i] ?? {}),
      jobs: jobsOf(tier),
      jobsPerMinute: series.get(tier)?.jobs ?? [],
      callsPerMinute: series.get(tier)?.calls ?? [],
      calls: t?.calls ?? 0,
      answered,
      decisions,
      escalations,
      fallbacks: t?.fallbacks ?? 0,
      errors: t?.errors ?? 0,
      // At most 1: minutes recorded before decisions were counted have escalations but no decisions.
      escalationRate: Math.min(1, ratio(escalations, decisions)),
      fallbackRate: ratio(t?.fallbacks ?? 0, answered),
    };
  });
  const flows: FlowEntryStats = {
    entry: FLOWS_ENTRY,
    configured: Object.keys(deps.fleet.flows.ensembles).length + Object.keys(deps.fleet.flows.pipelines).length > 0,
    queue: queueCounts(flowCounts),
    jobs: jobsOf(FLOWS_ENTRY),
    jobsPerMinute: series.get(FLOWS_ENTRY)?.jobs ?? [],
  };

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
      cancelledCalls: m?.cancelled ?? 0,
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
  // Every entry seen in the window: the tiers, `flows`, and a tier since removed from the fleet file.
  const entries = [...totals.jobs.values()];
  return {
    fleet: deps.fleetName,
    generatedAt: nowMs,
    window: { minutes: minutes.length, minuteStarts: minutes.map(minuteStart) },
    tiers,
    flows,
    models,
    tenants,
    totals: {
      jobs: sum(entries, finishedJobs),
      completed: sum(entries, (j) => j.completed),
      failed: sum(entries, (j) => j.failed),
      cancelled: sum(entries, (j) => j.cancelled),
      calls: sum(models, (m) => m.calls),
      errors: sum(models, (m) => m.errors),
      escalations: sum(tiers, (t) => t.escalations),
      fallbacks: sum(models, (m) => m.fallbacks),
      inputTokens: sum(models, (m) => m.inputTokens),
      outputTokens: sum(models, (m) => m.outputTokens),
      costUsd: round(sum(models, (m) => m.costUsd), 8),
      depth: sum(tiers, (t) => t.queue.depth) + flows.queue.depth,
    },
    recentJobs,
  };
}
