import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { FinishedJob, JobObserver } from './job-observer.js';
import { jobIndexKey } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

export interface FinishedJobReporting {
  fleetName: string;
  connection: Redis;
  keepCompletedSeconds: number;
  keepFailedSeconds: number;
  observers: readonly JobObserver[];
  log: Logger;
  /** `job` or `flow`, for the log lines. */
  what: string;
}

/**
 * When a client's own job (not a child: its BullMQ id is its id) finishes
 * for good, keeps its id reserved only as long as its result is kept, and
 * tells every observer (batches, statistics, webhooks). An observer that
 * fails is logged and changes nothing.
 */
export function reportFinishedJobs<D extends TierJobData, R extends TierOutcome>(worker: Worker<D, R>, deps: FinishedJobReporting): void {
  const { log } = deps;
  const releaseIdAfter = (id: string, seconds: number): void => {
    deps.connection.expire(jobIndexKey(deps.fleetName, id), seconds).catch((error: unknown) => log.warn({ err: error, jobId: id }, 'could not set the job index expiry'));
  };
  const tell = (finished: FinishedJob): void => {
    for (const observer of deps.observers) {
      observer.finished(finished).catch((error: unknown) => log.warn({ err: error, jobId: finished.data.id, observer: observer.name }, 'job observer failed'));
    }
  };
  worker.on('completed', (job, outcome) => {
    if (job.id !== job.data.id) return;
    releaseIdAfter(job.data.id, deps.keepCompletedSeconds);
    tell({ data: job.data, state: 'completed', outcome, finishedAt: job.finishedOn ?? Date.now() });
  });
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    const final = job.finishedOn !== undefined && job.finishedOn !== null;
    log.warn({ jobId: job.data.id, bullJobId: job.id, final, err: error.message }, final ? `${deps.what} failed` : `${deps.what} attempt failed`);
    if (!final || job.id !== job.data.id) return;
    releaseIdAfter(job.data.id, deps.keepFailedSeconds);
    tell({ data: job.data, state: 'failed', failedReason: job.failedReason, finishedAt: job.finishedOn ?? Date.now() });
  });
}
