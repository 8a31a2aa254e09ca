import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import { cancelChannel } from './cancel-job.js';
import type { FinishedJob, JobObserver } from './job-observer.js';
import { jobIndexKey } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

export interface WorkerReporting {
  fleet: { name: string; jobs: { keepCompletedSeconds: number; keepFailedSeconds: number } };
  connection: Redis;
  observers: readonly JobObserver[];
  log: Logger;
  /** `job` or `flow`, for the log lines. */
  what: string;
}

/**
 * What every fleet worker does around its jobs. When a client's own job (not
 * a child: its BullMQ id is its id) finishes for good, its id stays reserved
 * only as long as its result is kept, and every observer (batches,
 * statistics, webhooks) is told; an observer that fails is logged and
 * changes nothing. Failed attempts, stalled jobs and worker errors are logged.
 */
export function reportFinishedJobs<D extends TierJobData, R extends TierOutcome>(worker: Worker<D, R>, deps: WorkerReporting): void {
  const { log, what } = deps;
  const { name: fleetName, jobs } = deps.fleet;
  const releaseIdAfter = (id: string, seconds: number): void => {
    deps.connection.expire(jobIndexKey(fleetName, id), seconds).catch((error: unknown) => log.warn({ err: error, jobId: id }, 'could not set the job index expiry'));
  };
  const tell = (finished: FinishedJob): void => {
    for (const observer of deps.observers) {
      observer.finished(finished).catch((error: unknown) => log.warn({ err: error, jobId: finished.data.id, observer: observer.name }, 'job observer failed'));
    }
  };
  worker.on('completed', (job, outcome) => {
    if (job.id !== job.data.id) return;
    releaseIdAfter(job.data.id, jobs.keepCompletedSeconds);
    tell({ data: job.data, state: 'completed', outcome, finishedAt: job.finishedOn ?? Date.now() });
  });
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    const final = job.finishedOn !== undefined && job.finishedOn !== null;
    log.warn({ jobId: job.data.id, bullJobId: job.id, final, err: error.message }, final ? `${what} failed` : `${what} attempt failed`);
    if (!final || job.id !== job.data.id) return;
    releaseIdAfter(job.data.id, jobs.keepFailedSeconds);
    tell({ data: job.data, state: 'failed', failedReason: job.failedReason, finishedAt: job.finishedOn ?? Date.now() });
  });
  worker.on('stalled', (jobId) => log.warn({ bullJobId: jobId }, `${what} stalled: its worker died; it goes back to the queue`));
  worker.on('error', (error) => log.error({ err: error }, `${what} worker error`));
}

/** Listens on the fleet's cancel channel (the API publishes a cancelled job's BullMQ id); disconnect the returned connection to stop. */
export function listenForCancels(connection: Redis, fleetName: string, log: Logger, onCancel: (bullJobId: string) => void): Redis {
  const subscriber = connection.duplicate();
  subscriber.on('message', (_channel, bullJobId: string) => onCancel(bullJobId));
  subscriber.subscribe(cancelChannel(fleetName)).catch((error: unknown) => log.error({ err: error }, 'cannot listen for cancellations'));
  return subscriber;
}
