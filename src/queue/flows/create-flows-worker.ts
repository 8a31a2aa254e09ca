import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetConfig } from '../../config/fleet-schema.js';
import { cancelMarkerKey } from '../cancel-job.js';
import type { FleetQueues } from '../fleet-queues.js';
import type { JobObserver } from '../job-observer.js';
import { listenForCancels, reportFinishedJobs } from '../report-finished-jobs.js';
import type { ObserverSweep } from '../untold-job-sweep.js';
import { cancelFlowChildren, stopFlowChild } from './cancel-flow-children.js';
import { createFlowProcessor } from './create-flow-processor.js';
import type { FlowJobData, FlowOutcome } from './flow-job-data.js';
import { FLOWS_QUEUE_NAME } from './flow-queue-names.js';
import { createCombinerLoader } from './load-combiner.js';

export interface FlowsWorkerDeps {
  fleet: FleetConfig;
  /** A connection with `maxRetriesPerRequest: null`, as BullMQ workers need. */
  connection: Redis;
  queues: FleetQueues;
  logger: Logger;
  /** Told when a flow job finishes for good (batches, statistics, webhooks), as the tier workers tell of other jobs. */
  observers?: readonly JobObserver[];
  /** The sweep that tells observers of flows whose worker died before telling them (untold-job-sweep.ts). */
  observerSweep?: ObserverSweep;
  /** Where relative combiner module paths are read from: the fleet file's folder (the working directory when unset). */
  baseDir?: string;
  /** Flow parents in flight at once in this process; `flows.concurrency` when unset. */
  concurrency?: number;
}

export interface FlowsWorker {
  readonly worker: Worker<FlowJobData, FlowOutcome>;
  /** Stops taking flow jobs and lets in-flight ones finish (they only add children or combine). */
  shutdown(): Promise<void>;
  /** Closes at once (tests, fatal errors). */
  close(): Promise<void>;
}

/**
 * The worker of the fleet's flows queue, run beside the tier workers in
 * every worker process: it serves ensemble and pipeline parents, and tells
 * the observers when one finishes for good, as the tier worker does for
 * other jobs (the flow's children never do).
 */
export function createFlowsWorker(deps: FlowsWorkerDeps): FlowsWorker {
  const { fleet } = deps;
  const log = deps.logger.child({ part: 'flows' });
  const processor = createFlowProcessor({
    queues: deps.queues,
    logger: log,
    loadCombiner: createCombinerLoader(
      deps.baseDir ?? process.cwd(),
      new Set(Object.values(fleet.flows.ensembles).flatMap((ensemble) => (ensemble.combiner === undefined ? [] : [ensemble.combiner]))),
    ),
    isCancelled: async (jobId) => (await deps.connection.exists(cancelMarkerKey(fleet.name, jobId))) === 1,
    stopChild: (ref) => stopFlowChild({ queues: deps.queues, redis: deps.connection, fleetName: fleet.name, log }, ref),
  });
  const worker = new Worker<FlowJobData, FlowOutcome>(FLOWS_QUEUE_NAME, processor, {
    connection: deps.connection,
    prefix: deps.queues.prefix,
    concurrency: deps.concurrency ?? fleet.flows.concurrency,
    lockDuration: fleet.workers.lockDurationMs,
    stalledInterval: fleet.workers.stalledIntervalMs,
    maxStalledCount: fleet.workers.maxStalledCount,
    name: `${hostname()}:${process.pid}:flows`,
    // Traced with the queues (bullmq-otel): a job's run continues the trace its producer started.
    ...(deps.queues.telemetry === undefined ? {} : { telemetry: deps.queues.telemetry }),
  });

  // A client cancelled a job: when it is a flow, stop its children (the parent then ends as cancelled).
  const subscriber = listenForCancels(deps.connection, fleet.name, log, (jobId) => {
    cancelFlowChildren({ queues: deps.queues, redis: deps.connection, fleetName: fleet.name, log }, jobId).catch((error: unknown) =>
      log.warn({ err: error, jobId }, 'could not stop the children of a cancelled flow'),
    );
  });
  const reporting = reportFinishedJobs(worker, {
    fleet,
    connection: deps.connection,
    observers: deps.observers ?? [],
    log,
    what: 'flow',
    queue: deps.queues.flows,
    sweep: deps.observerSweep,
  });

  return {
    worker,
    async close() {
      reporting.stop();
      subscriber.disconnect();
      await worker.close(true);
    },
    async shutdown() {
      reporting.stop();
      subscriber.disconnect();
      await worker.close();
    },
  };
}
