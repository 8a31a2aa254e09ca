import type { Attributes, Meter } from '@opentelemetry/api';
import type { ErrorKind } from '../core/error-kind.js';
import type { TokenUsage } from '../core/model-result.js';

/**
 * Bucket bounds the OpenTelemetry GenAI semantic conventions advise for
 * `gen_ai.client.operation.duration` (seconds) and `gen_ai.client.token.usage`.
 */
const DURATION_BUCKETS_S = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** A job's time from enqueue to its end: seconds to hours (a batch waits in its queue). */
const JOB_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];

/** One model call as it ended (a cache hit is no call; a call cut off by a cancel or a shutdown is not recorded). */
export interface ModelCallRecord {
  model: string;
  /** The tier that lists the model. */
  tier: string;
  tenant?: string;
  durationMs: number;
  /** Set when the call failed: its error kind, or `_OTHER` for a failure no kind was given. */
  errorKind?: ErrorKind | '_OTHER';
  usage?: TokenUsage;
  costUsd?: number;
}

/** A client's job that ended for good. */
export interface JobEndRecord {
  /** The tier whose queue the job entered (`flows` for an ensemble or a pipeline). */
  entryTier: string;
  state: 'completed' | 'failed' | 'cancelled';
  tenant: string;
  /** From enqueue to the end. */
  durationMs: number;
  /** Tiers that sent the job up, one entry per escalation. */
  escalatedFrom: readonly string[];
}

/**
 * What the fleet's processes count, as OpenTelemetry instruments (exported
 * to Prometheus by `startMetricsServer`). Model calls follow the GenAI
 * semantic conventions; the rest are the fleet's own, under `fleet.`, with
 * their unit in the name, as Prometheus names them (`fleet_model_cost_usd_total`).
 */
export interface FleetMetrics {
  modelCall(call: ModelCallRecord): void;
  cacheHit(model: string, tier: string): void;
  jobEnded(job: JobEndRecord): void;
  /** A job found every model of the tier throttled (or its breaker open), and paused its queue. */
  tierPaused(tier: string): void;
  breakerChanged(model: string, state: string): void;
  /** A batch's submission stopped part-way (told by this process's sweep). */
  batchInterrupted(): void;
}

const CHAT: Attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'aws.bedrock' };

/** The fleet's instruments on `meter`. */
export function createFleetMetrics(meter: Meter): FleetMetrics {
  const duration = meter.createHistogram('gen_ai.client.operation.duration', {
    description: 'Duration of model calls (Bedrock Converse), failed ones with error.type set to the fleet error kind',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  });
  const tokens = meter.createHistogram('gen_ai.client.token.usage', {
    description: 'Tokens per model call, by gen_ai.token.type (input, output)',
    unit: '{token}',
    advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
  });
  const cost = meter.createCounter('fleet.model.cost_usd', { description: 'What model calls cost, from the fleet price table', unit: 'USD' });
  const cacheHits = meter.createCounter('fleet.model.cache_hits', { description: 'Answers served from the response cache (no call made)' });
  const jobs = meter.createCounter('fleet.jobs.ended', { description: "Clients' jobs that ended for good, by entry tier and state" });
  const jobDuration = meter.createHistogram('fleet.job.duration_seconds', {
    description: 'Time from enqueue to the end of a client job',
    unit: 's',
    advice: { explicitBucketBoundaries: JOB_BUCKETS_S },
  });
  const escalations = meter.createCounter('fleet.escalations', { description: 'Jobs a tier sent up to a stronger tier' });
  // Per job that found the tier throttled: several jobs (and replicas) may pause the same queue at once. How long
  // a queue stays paused is the API's gauge fleet.queue.throttle_remaining_seconds.
  const pauses = meter.createCounter('fleet.tier.throttled_pauses', {
    description: "Jobs that found every model of their tier throttled or its breaker open, and paused the tier's queue",
  });
  const breakers = meter.createCounter('fleet.breaker.transitions', { description: "A model's circuit breaker changing state in this process" });
  const interrupted = meter.createCounter('fleet.batches.interrupted', { description: 'Batches whose submission stopped part-way (they do not finish until sent again)' });
  // Exported from the start at 0, so that the first interruption is an increase.
  interrupted.add(0);

  return {
    modelCall(call) {
      const attributes: Attributes = {
        ...CHAT,
        'gen_ai.request.model': call.model,
        'fleet.tier': call.tier,
        ...(call.errorKind === undefined ? {} : { 'error.type': call.errorKind }),
      };
      duration.record(call.durationMs / 1000, attributes);
      if (call.usage !== undefined) {
        tokens.record(call.usage.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
        tokens.record(call.usage.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
      }
      if (call.costUsd !== undefined && call.costUsd > 0) {
        cost.add(call.costUsd, { 'gen_ai.request.model': call.model, 'fleet.tier': call.tier, 'fleet.tenant': call.tenant ?? '' });
      }
    },
    cacheHit(model, tier) {
      cacheHits.add(1, { 'gen_ai.request.model': model, 'fleet.tier': tier });
    },
    jobEnded(job) {
      const attributes = { 'fleet.entry_tier': job.entryTier, 'fleet.job.state': job.state };
      jobs.add(1, { ...attributes, 'fleet.tenant': job.tenant });
      if (Number.isFinite(job.durationMs) && job.durationMs >= 0) jobDuration.record(job.durationMs / 1000, attributes);
      for (const tier of job.escalatedFrom) escalations.add(1, { 'fleet.tier': tier });
    },
    tierPaused(tier) {
      pauses.add(1, { 'fleet.tier': tier });
    },
    breakerChanged(model, state) {
      breakers.add(1, { 'gen_ai.request.model': model, 'fleet.breaker.state': state });
    },
    batchInterrupted() {
      interrupted.add(1);
    },
  };
}
