import type { Redis } from 'ioredis';
import type { FleetQueues } from '../fleet-queues.js';
import { jobIndexKey } from '../queue-names.js';
import type { BatchStore } from './batch-store.js';

export interface PendingStates {
  queued: number;
  active: number;
  escalated: number;
}

/** Above this many jobs, a batch's pending jobs are not split by state (it would read every one). */
export const MAX_JOBS_SPLIT = 10_000;

const STATE: Record<string, keyof PendingStates> = {
  active: 'active',
  'waiting-children': 'escalated',
};

/**
 * How a batch's unfinished jobs split into queued, active and escalated:
 * reads the state of each job not yet counted as finished. Undefined for
 * batches over MAX_JOBS_SPLIT jobs.
 */
export async function countPendingStates(
  deps: { batches: BatchStore; queues: FleetQueues; redis: Redis; fleetName: string },
  batchId: string,
  total: number,
): Promise<PendingStates | undefined> {
  if (total > MAX_JOBS_SPLIT) return undefined;
  const [ids, done] = await Promise.all([
    deps.batches.jobIds(batchId, 'input', 0, total),
    deps.batches.jobIds(batchId, 'finished', 0, total),
  ]);
  const finished = new Set(done);
  const pending = ids.filter((id) => !finished.has(id));
  const counts: PendingStates = { queued: 0, active: 0, escalated: 0 };
  if (pending.length === 0) return counts;
  const tiers = await deps.redis.mget(...pending.map((id) => jobIndexKey(deps.fleetName, id)));
  const states = await Promise.all(
    pending.map(async (id, i) => {
      const tier = tiers[i];
      return tier === null || tier === undefined ? 'unknown' : deps.queues.queue(tier).getJobState(id);
    }),
  );
  for (const state of states) {
    // Completed or failed but not yet counted by the worker's observer: still pending here, for a moment.
    if (state === 'completed' || state === 'failed') counts.active += 1;
    else counts[STATE[state] ?? 'queued'] += 1;
  }
  return counts;
}
