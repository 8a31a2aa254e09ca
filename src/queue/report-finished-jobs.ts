import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import { cancelChannel } from './cancel-job.js';
import type { FinishedJob, JobObserver } from './job-observer.js';
import { jobIndexKey } from './queue-names.js';
import { tellObserversOnce } from './tell-observers-once.js';
import { DEFAULT_OBSERVER_SWEEP, startUntoldJobSweep, type ObserverSweep } from './untold-job-sweep.js';
import type { TierJobData } from './tier-job-data.js';

export interface WorkerReporting {
  fleet: { name: string; jobs: { keepCompletedSeconds: number; keepFailedSeconds: number } };
  connection: Redis;
  observers: readonly JobObserver[];
  log: Logger;
  /** `job` or `flow`, for the log lines. */
  what: string;
  /** The worker's own queue, where finished jobs nobody told the observers of are looked for. */
  queue: Queue;
  /** How often, and over which finished jobs, that look goes (`DEFAULT_OBSERVER_SWEEP` when unset). */
  sweep?: ObserverSweep | undefined;
}

/**
 * What every fleet worker does around its jobs. When a client's own job (not
 * a child: its BullMQ id is its id) finishes for good, its id stays reserved
 * only as long as its result is kept, and every observer (batches,
 * statistics, webhooks, conversations, experiments) is told, once: a claim in
 * Redis says who tells them. A worker that dies between the job's finish and
 * its observers leaves the job unmarked; a sweep of recently finished jobs,
 * in every worker of the queue, tells them then. An observer that fails is
 * logged and changes nothing. Failed attempts, stalled jobs and worker errors
 * are logged. Returns a stop for the sweep.
 */
export function reportFinishedJobs<D extends TierJobData, R extends TierOutcome>(worker: Worker<D, R>, deps: WorkerReporting): { stop(): void } {
  const { log, what } = deps;
  const { name: fleetName, jobs } = deps.fleet;
  const releaseIdAfter = (id: string, seconds: number): void => {
    deps.connection.expire(jobIndexKey(fleetName, id), seconds).catch((error: unknown) => log.warn({ err: error, jobId: id }, 'could not set the job index expiry'));
  };
  const tell = tellObserversOnce({ connection: deps.connection, fleetName, observers: deps.observers, log });
  const tellLater = (finished: FinishedJob): void => {
    tell(finished).catch((error: unknown) => log.warn({ err: error, jobId: finished.data.id }, 'could not tell the observers; the sweep will'));
  };
  worker.on('completed', (job, outcome) => {
    if (job.id !== job.data.id) return;
    releaseIdAfter(job.data.id, jobs.keepCompletedSeconds);
    tellLater({ data: job.data, state: 'completed', outcome, finishedAt: job.finishedOn ?? Date.now() });
  });
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    const final = job.finishedOn !== undefined && job.finishedOn !== null;
    log.warn({ jobId: job.data.id, bullJobId: job.id, final, err: error.message }, final ? `${what} failed` : `${what} attempt failed`);
    if (!final || job.id !== job.data.id) return;
    releaseIdAfter(job.data.id, jobs.keepFailedSeconds);
    tellLater({ data: job.data, state: 'failed', failedReason: job.failedReason, finishedAt: job.finishedOn ?? Date.now() });
  });
  worker.on('stalled', (jobId) => log.warn({ bullJobId: jobId }, `${what} stalled: its worker died; it goes back to the queue`));
  worker.on('error', (error) => log.error({ err: error }, `${what} worker error`));

  const stop = startUntoldJobSweep({ connection: deps.connection, fleetName, queue: deps.queue, log, what, tell }, deps.sweep ?? DEFAULT_OBSERVER_SWEEP);
  return { stop };
}

/** Listens on the fleet's cancel channel (the API publishes a cancelled job's BullMQ id); disconnect the returned connection to stop. */
export function listenForCancels(connection: Redis, fleetName: string, log: Logger, onCancel: (bullJobId: string) => void): Redis {
  const subscriber = connection.duplicate();
  subscriber.on('message', (_channel, bullJobId: string) => onCancel(bullJobId));
  subscriber.subscribe(cancelChannel(fleetName)).catch((error: unknown) => log.error({ err: error }, 'cannot listen for cancellations'));
  return subscriber;
}
