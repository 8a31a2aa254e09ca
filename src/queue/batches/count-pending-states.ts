import type { Redis } from 'ioredis';
import type { FleetQueues } from '../fleet-queues.js';
import { cancelMarkerKey, type CancelMarker } from '../cancel-job.js';
import { jobIndexKey } from '../queue-names.js';
import type { BatchRecord, BatchStore } from './batch-store.js';
import { batchEntryOf, countIntoBatch } from './create-batch-observer.js';

export interface PendingStates {
  queued: number;
  active: number;
  escalated: number;
}

/**
 * Counting, now, a job BullMQ shows finished that its batch never counted:
 * its worker died between BullMQ recording the job and the batch observer
 * running. `afterMs` leaves the observer its moment first.
 */
export interface SettleMissed {
  afterMs: number;
  now: () => number;
  /** Announces a batch this finishes (its webhook). */
  onBatchFinished?: ((batch: BatchRecord) => Promise<void>) | undefined;
}

/** How long after a job finished its batch's status read counts it, when its worker's observer did not (SettleMissed). */
export const SETTLE_MISSED_AFTER_MS = 10_000;

/** Above this many jobs, a batch's pending jobs are not split by state (it would read every one). */
export const MAX_JOBS_SPLIT = 10_000;

const STATE: Record<string, keyof PendingStates> = {
  active: 'active',
  'waiting-children': 'escalated',
};

/**
 * How a batch's unfinished jobs split into queued, active and escalated:
 * reads the state of each job not yet counted as finished. Undefined for
 * batches over MAX_JOBS_SPLIT jobs. Given `settle`, it first counts into
 * the batch the jobs it finds finished but never counted (`settled`).
 */
export async function countPendingStates(
  deps: { batches: BatchStore; queues: FleetQueues; redis: Redis; fleetName: string; settle?: SettleMissed },
  batchId: string,
  total: number,
): Promise<(PendingStates & { settled: number }) | undefined> {
  if (total > MAX_JOBS_SPLIT) return undefined;
  const [ids, done] = await Promise.all([
    deps.batches.jobIds(batchId, 'input', 0, total),
    deps.batches.jobIds(batchId, 'finished', 0, total),
  ]);
  const finished = new Set(done);
  const pending = ids.filter((id) => !finished.has(id));
  const counts = { queued: 0, active: 0, escalated: 0, settled: 0 };
  if (pending.length === 0) return counts;
  const tiers = await deps.redis.mget(...pending.map((id) => jobIndexKey(deps.fleetName, id)));
  const states = await Promise.all(
    pending.map(async (id, i) => {
      const tier = tiers[i];
      return tier === null || tier === undefined ? 'unknown' : deps.queues.queue(tier).getJobState(id);
    }),
  );
  for (const [i, state] of states.entries()) {
    // Completed or failed but not yet counted by the worker's observer: still pending here, for a moment.
    if (state === 'completed' || state === 'failed') {
      if (await settleMissed(deps, batchId, pending[i] ?? '', tiers[i] ?? null, state)) counts.settled += 1;
      else counts.active += 1;
    } else if (state === 'unknown' && (await settleCancelled(deps, batchId, pending[i] ?? '', tiers[i] ?? null))) {
      counts.settled += 1;
    } else counts[STATE[state] ?? 'queued'] += 1;
  }
  return counts;
}

/** Counts one finished job into its batch when its observer has had its moment and did not (SettleMissed); whether it did. */
async function settleMissed(
  deps: { batches: BatchStore; queues: FleetQueues; settle?: SettleMissed },
  batchId: string,
  id: string,
  tier: string | null,
  state: 'completed' | 'failed',
): Promise<boolean> {
  const { settle } = deps;
  if (settle === undefined || tier === null) return false;
  const job = await deps.queues.queue(tier).getJob(id);
  const finishedAt = job?.finishedOn;
  if (job === undefined || finishedAt === undefined || settle.now() - finishedAt < settle.afterMs) return false;
  const outcome = state === 'completed' ? { outcome: job.returnvalue } : { failedReason: job.failedReason };
  await countIntoBatch(deps.batches, settle.onBatchFinished, batchId, batchEntryOf({ data: job.data, state, finishedAt, ...outcome }));
  return true;
}

/**
 * Counts, as failed, a job its client cancelled while it waited: it was
 * removed from its queue, so no worker ever finished it (its cancel marker
 * says so). Whether it did.
 */
async function settleCancelled(
  deps: { batches: BatchStore; redis: Redis; fleetName: string; settle?: SettleMissed },
  batchId: string,
  id: string,
  tier: string | null,
): Promise<boolean> {
  if (deps.settle === undefined) return false;
  const raw = await deps.redis.get(cancelMarkerKey(deps.fleetName, id));
  if (raw === null) return false;
  const marker = JSON.parse(raw) as CancelMarker;
  const costUsd = marker.attempts.reduce((sum, a) => sum + a.costUsd, 0);
  const entry = { id, state: 'failed' as const, tier: tier ?? marker.data.route.tier, costUsd, finishedAt: marker.at };
  await countIntoBatch(deps.batches, deps.settle.onBatchFinished, batchId, entry);
  return true;
}
