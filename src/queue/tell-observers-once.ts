import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FinishedJob, JobObserver } from './job-observer.js';
import { fleetPrefix } from './queue-names.js';

/** How long a claim to tell a job's observers holds (a worker that dies while telling them frees it then). */
export const CLAIM_SECONDS = 120;
/** How long a told job stays marked: beyond the sweep's reach (its `withinMs` must stay below it). */
const TOLD_SECONDS = 15 * 60;

/** Marks one finish of a client's job whose observers have been told (or are being told). */
export function toldKey(fleetName: string, jobId: string, finishedOn: number): string {
  return `${fleetPrefix(fleetName)}:told:${jobId}:${String(finishedOn)}`;
}

export interface TellDeps {
  connection: Redis;
  fleetName: string;
  observers: readonly JobObserver[];
  log: Logger;
}

/**
 * Tells every observer of one finish of a client's job, once whoever asks
 * (the worker that finished it, or a sweep): a claim in Redis says who tells
 * them, and marks the finish told once they were. An observer that fails is
 * logged and changes nothing.
 */
export function tellObserversOnce(deps: TellDeps): (finished: FinishedJob) => Promise<void> {
  return async (finished) => {
    const key = toldKey(deps.fleetName, finished.data.id, finished.finishedAt);
    if ((await deps.connection.set(key, 'telling', 'EX', CLAIM_SECONDS, 'NX')) === null) return;
    await Promise.all(
      deps.observers.map((observer) =>
        observer.finished(finished).catch((error: unknown) => deps.log.warn({ err: error, jobId: finished.data.id, observer: observer.name }, 'job observer failed')),
      ),
    );
    await deps.connection.set(key, 'told', 'EX', TOLD_SECONDS);
  };
}
