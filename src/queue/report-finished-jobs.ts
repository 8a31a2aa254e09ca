import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import { cancelChannel } from './cancel-job.js';
import type { FinishedJob, JobObserver } from './job-observer.js';
import { fleetPrefix, jobIndexKey } from './queue-names.js';
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
  sweep?: ObserverSweep;
}

export interface ObserverSweep {
  intervalMs: number;
  /** Jobs finished at least this long ago and not yet told (their worker died first) are told by the sweep. */
  afterMs: number;
  /** ... and at most this long ago. */
  withinMs: number;
}

export const DEFAULT_OBSERVER_SWEEP: ObserverSweep = { intervalMs: 15_000, afterMs: 30_000, withinMs: 10 * 60_000 };

/** How long a claim to tell a job's observers holds (a worker that dies while telling them frees it then). */
const CLAIM_SECONDS = 120;
/** How long a told job stays marked: beyond the sweep's reach (`withinMs` must stay below it). */
const TOLD_SECONDS = 15 * 60;
const SWEEP_BATCH = 1_000;
/** Batches one sweep reads at most per set; what it did not reach, the next sweep reads first. */
const SWEEP_ROUNDS = 20;

/** Marks one finish of a client's job whose observers have been told (or are being told). */
function toldKey(fleetName: string, jobId: string, finishedOn: number): string {
  return `${fleetPrefix(fleetName)}:told:${jobId}:${String(finishedOn)}`;
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
  const tell = async (finished: FinishedJob): Promise<void> => {
    const key = toldKey(fleetName, finished.data.id, finished.finishedAt);
    if ((await deps.connection.set(key, 'telling', 'EX', CLAIM_SECONDS, 'NX')) === null) return;
    await Promise.all(
      deps.observers.map((observer) =>
        observer.finished(finished).catch((error: unknown) => log.warn({ err: error, jobId: finished.data.id, observer: observer.name }, 'job observer failed')),
      ),
    );
    await deps.connection.set(key, 'told', 'EX', TOLD_SECONDS);
  };
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

  const sweep = deps.sweep ?? DEFAULT_OBSERVER_SWEEP;
  /** Up to which finish time this process has swept each set (it starts with the whole window). */
  const swept: Record<'completed' | 'failed', number> = { completed: 0, failed: 0 };
  /** Tells the observers of each finished client job in this batch of the set that nobody told. */
  const tellUntold = async (state: 'completed' | 'failed', found: readonly string[]): Promise<void> => {
    const candidates: { id: string; finishedOn: number }[] = [];
    // Children (escalations, flow members and steps) carry `--` in their ids: only a client's own jobs are told.
    for (let i = 0; i + 1 < found.length; i += 2) if (!(found[i] ?? '--').includes('--')) candidates.push({ id: found[i] ?? '', finishedOn: Number(found[i + 1]) });
    if (candidates.length === 0) return;
    const check = deps.connection.pipeline();
    for (const c of candidates) check.exists(toldKey(fleetName, c.id, c.finishedOn));
    const marked = (await check.exec()) ?? [];
    for (const [i, c] of candidates.entries()) {
      if (marked[i]?.[1] === 1) continue;
      const job = await deps.queue.getJob(c.id);
      if (job === undefined || job.id !== (job.data as TierJobData).id || job.finishedOn !== c.finishedOn) continue;
      log.warn({ jobId: c.id, state }, `${what} finished without its observers being told (its worker died?): telling them now`);
      const data = job.data as TierJobData;
      await tell(
        state === 'completed'
          ? { data, state, outcome: job.returnvalue as TierOutcome, finishedAt: c.finishedOn }
          : { data, state, failedReason: job.failedReason, finishedAt: c.finishedOn },
      );
    }
  };
  /** Finished client jobs of the queue, in the sweep's window and not swept yet by this process, whose observers nobody told. */
  /**
   * When the fleet's workers began marking told jobs (the first such worker's start): a job finished
   * before has no mark, and must not be told again. Read as this worker starts, before it finishes any job.
   */
  const sinceKey = `${fleetPrefix(fleetName)}:told-since`;
  const startedAt = Date.now();
  let markingSince: number | undefined;
  const readMarkingSince = async (): Promise<number> => {
    await deps.connection.set(sinceKey, String(startedAt), 'NX');
    return Number((await deps.connection.get(sinceKey)) ?? startedAt);
  };
  const sweepOnce = async (): Promise<void> => {
    const now = Date.now();
    markingSince ??= await readMarkingSince();
    const until = now - sweep.afterMs;
    for (const state of ['completed', 'failed'] as const) {
      let from = Math.max(swept[state], now - sweep.withinMs, markingSince);
      for (let round = 0; round < SWEEP_ROUNDS && from <= until; round += 1) {
        const found = await deps.connection.zrangebyscore(deps.queue.toKey(state), from, until, 'WITHSCORES', 'LIMIT', 0, SWEEP_BATCH);
        await tellUntold(state, found);
        const last = Number(found.at(-1) ?? until);
        // A full batch: go on from its last finish time (read again inclusively: several jobs may share a millisecond).
        from = found.length < SWEEP_BATCH * 2 || last === from ? until + 1 : last;
      }
      // The next sweep reads again the last claim's length: a worker that died while telling frees its claim only then.
      swept[state] = Math.min(from, until + 1) - CLAIM_SECONDS * 1000;
    }
  };
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweepOnce()
      .catch((error: unknown) => log.warn({ err: error }, `could not sweep finished ${what}s for untold observers`))
      .finally(() => {
        sweeping = false;
      });
  }, sweep.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Listens on the fleet's cancel channel (the API publishes a cancelled job's BullMQ id); disconnect the returned connection to stop. */
export function listenForCancels(connection: Redis, fleetName: string, log: Logger, onCancel: (bullJobId: string) => void): Redis {
  const subscriber = connection.duplicate();
  subscriber.on('message', (_channel, bullJobId: string) => onCancel(bullJobId));
  subscriber.subscribe(cancelChannel(fleetName)).catch((error: unknown) => log.error({ err: error }, 'cannot listen for cancellations'));
  return subscriber;
}
