import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { FinishedJob } from './job-observer.js';
import { fleetPrefix } from './queue-names.js';
import { repeatWithoutOverlap } from './repeat-without-overlap.js';
import { CLAIM_SECONDS, toldKey } from './tell-observers-once.js';
import type { TierJobData } from './tier-job-data.js';

export interface ObserverSweep {
  intervalMs: number;
  /** Jobs finished at least this long ago and not yet told (their worker died first) are told by the sweep. */
  afterMs: number;
  /** ... and at most this long ago. */
  withinMs: number;
}

export const DEFAULT_OBSERVER_SWEEP: ObserverSweep = { intervalMs: 15_000, afterMs: 30_000, withinMs: 10 * 60_000 };

const SWEEP_BATCH = 1_000;
/** Batches one sweep reads at most per set; what it did not reach, the next sweep reads first. */
const SWEEP_ROUNDS = 20;

export interface UntoldJobSweepDeps {
  connection: Redis;
  fleetName: string;
  /** The queue whose finished jobs are swept. */
  queue: Queue;
  log: Logger;
  /** `job` or `flow`, for the log lines. */
  what: string;
  /** Tells a finish's observers unless someone has (tell-observers-once.ts). */
  tell: (finished: FinishedJob) => Promise<void>;
}

/**
 * Every `intervalMs`, reads the queue's client jobs finished `afterMs` to
 * `withinMs` ago (a cursor per set, so each is read once it is old enough)
 * and tells the observers of those nobody told: their worker died between
 * the job's finish and its observers. Returns a stop.
 */
export function startUntoldJobSweep(deps: UntoldJobSweepDeps, sweep: ObserverSweep): () => void {
  const { fleetName, log, what, tell } = deps;
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
  /** Finished client jobs of the queue, in the sweep's window and not swept yet by this process, whose observers nobody told. */
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
  return repeatWithoutOverlap(sweepOnce, sweep.intervalMs, (error) => log.warn({ err: error }, `could not sweep finished ${what}s for untold observers`));
}
