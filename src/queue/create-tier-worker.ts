import { hostname } from 'node:os';
import type { Tracer } from '@opentelemetry/api';
import { MetricsTime, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetConfig, TierConfig } from '../config/fleet-schema.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { ModelClient } from '../core/model-client.js';
import { tierOfModel } from '../core/routing/routing-fleet.js';
import type { BreakerRegistry } from '../resilience/breaker-registry.js';
import type { FleetMetrics } from '../telemetry/fleet-metrics.js';
import { createMeteredModelClient } from '../telemetry/metered-model-client.js';
import { createTracedModelClient } from '../telemetry/traced-model-client.js';
import { createBudgetGate, type BudgetGate } from './budgets/budget-gate.js';
import { createSpendCountingClient } from './budgets/spend-counting-client.js';
import { createSpendStore } from './budgets/spend-store.js';
import { CANCEL_REASON, cancelMarkerKey } from './cancel-job.js';
import { createTierProcessor, SHUTDOWN_REASON } from './create-tier-processor.js';
import type { FleetQueues } from './fleet-queues.js';
import type { JobObserver } from './job-observer.js';
import { tierQueueName } from './queue-names.js';
import { PAUSE_ONLY_LIMIT } from './pause-only-limit.js';
import { listenForCancels, reportFinishedJobs } from './report-finished-jobs.js';
import type { ObserverSweep } from './untold-job-sweep.js';
import type { TierJobData } from './tier-job-data.js';


export interface TierWorkerDeps {
  fleet: FleetConfig;
  tier: TierConfig;
  /** A connection with `maxRetriesPerRequest: null`, as BullMQ workers need. */
  connection: Redis;
  client: ModelClient;
  breakers: BreakerRegistry;
  queues: FleetQueues;
  logger: Logger;
  /** Jobs in flight at once in this process; the tier's setting when unset. */
  concurrency?: number;
  /** Where the fleet file's relative module paths (custom scorers) are read from. */
  fleetDir?: string;
  /** Told when a client's job finishes for good (batches, statistics, webhooks). */
  observers?: readonly JobObserver[];
  /** The spend budgets' check; read from `connection` when unset and the fleet sets budgets. */
  budgets?: BudgetGate;
  /** The sweep that tells observers of jobs whose worker died before telling them (untold-job-sweep.ts). */
  observerSweep?: ObserverSweep;
  /** This process's metrics: each model call, and each pause of a throttled tier; none when unset. */
  metrics?: FleetMetrics;
  /** Traces each model call as a span of the job's run; none when unset. */
  tracer?: Tracer;
}

export interface TierWorker {
  readonly worker: Worker<TierJobData, TierOutcome>;
  /**
   * Stops taking jobs and lets in-flight ones finish. After the grace period
   * their calls are aborted and they go back to the queue for another worker.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Closes at once, without waiting for in-flight jobs (tests, fatal errors). */
  close(): Promise<void>;
}

/** One tier's worker pool in this process: a BullMQ worker running the tier processor. */
export function createTierWorker(deps: TierWorkerDeps): TierWorker {
  const { fleet, tier } = deps;
  const log = deps.logger.child({ tier: tier.name });
  // Every answered call's cost counts toward its tenant's and the fleet's spend at once (docs/budgets.md).
  const spend = createSpendStore({ redis: deps.connection, fleetName: fleet.name, period: fleet.budgets.period });
  const tierOf = (model: string): string => tierOfModel(fleet, model) ?? '';
  const traced = deps.tracer === undefined ? deps.client : createTracedModelClient({ client: deps.client, tracer: deps.tracer, tierOf });
  const metered = deps.metrics === undefined ? traced : createMeteredModelClient({ client: traced, metrics: deps.metrics, tierOf });
  const client = createSpendCountingClient({ client: metered, store: spend, log: log.child({ part: 'spend' }) });
  const processor = createTierProcessor({
    ...deps,
    client,
    budgets: deps.budgets ?? createBudgetGate({ redis: deps.connection, fleet }),
    logger: log,
    isCancelled: async (jobId) => (await deps.connection.exists(cancelMarkerKey(fleet.name, jobId))) === 1,
  });
  const worker = new Worker<TierJobData, TierOutcome>(tierQueueName(tier.name), processor, {
    connection: deps.connection,
    prefix: deps.queues.prefix,
    concurrency: deps.concurrency ?? tier.concurrency,
    lockDuration: fleet.workers.lockDurationMs,
    stalledInterval: fleet.workers.stalledIntervalMs,
    maxStalledCount: fleet.workers.maxStalledCount,
    name: `${hostname()}:${process.pid}:${tier.name}`,
    // Completed-per-minute points, read by GET /v1/scaling.
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    // No rate limit of its own (a max never reached), but BullMQ checks the queue's limiter key only when
    // a limiter is set: without one, the pause a throttled tier sets (queue.rateLimit) would hold nothing back.
    limiter: { max: PAUSE_ONLY_LIMIT, duration: 1_000 },
    // Traced with the queues (bullmq-otel): a job's run continues the trace its producer started.
    ...(deps.queues.telemetry === undefined ? {} : { telemetry: deps.queues.telemetry }),
  });

  // A client cancelled a running job: abort its calls if this process runs it.
  const subscriber = listenForCancels(deps.connection, fleet.name, log, (bullJobId) => {
    if (worker.cancelJob(bullJobId, CANCEL_REASON)) log.info({ bullJobId }, 'job cancelled by its client');
  });
  const reporting = reportFinishedJobs(worker, {
    fleet,
    connection: deps.connection,
    observers: deps.observers ?? [],
    log,
    what: 'job',
    queue: deps.queues.queue(tier.name),
    sweep: deps.observerSweep,
  });

  return {
    worker,
    async close() {
      reporting.stop();
      subscriber.disconnect();
      await worker.close(true);
    },
    async shutdown(graceMs = fleet.workers.shutdownGraceMs) {
      log.info({ graceMs }, 'draining: no new jobs; in-flight jobs may finish');
      const timer = setTimeout(() => {
        log.warn('grace period over: handing in-flight jobs back to the queue');
        worker.cancelAllJobs(SHUTDOWN_REASON);
      }, graceMs);
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
        reporting.stop();
        subscriber.disconnect();
      }
    },
  };
}
