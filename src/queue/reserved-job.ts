import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { cancelMarkerKey, type CancelMarker } from './cancel-job.js';
import type { EnqueueReceipt, PreparedJob } from './create-producer.js';
import type { FleetQueues } from './fleet-queues.js';
import { jobIndexKey } from './queue-names.js';

export interface ReservedJobDeps {
  redis: Redis;
  queues: FleetQueues;
  fleetName: string;
  /** How long an id's reservation is kept for a job that is still queued. */
  reservationSeconds: number;
  /** How long to wait for the job of an id another enqueue reserved but has not added yet (default 5 s). */
  placementWaitMs?: number;
}

/**
 * Where an id another enqueue reserved stands: its job's receipt, `free` (no
 * reservation), `unplaced` (reserved a moment ago, no job yet), or `stale`
 * (reserved long ago, its job gone: removed before its reservation expired).
 */
type Reserved = EnqueueReceipt | 'free' | 'unplaced' | 'stale';

const DEFAULT_PLACEMENT_WAIT_MS = 5_000;
const POLL_MS = 50;
/** A reservation with no job is an enqueue in flight only this soon after it was made (its add follows within seconds). */
const IN_FLIGHT_SECONDS = 60;

/**
 * The jobs whose ids were reserved already when they were to be enqueued:
 * the receipt of the job kept under each (or of its cancellation), or the
 * job back as free to enqueue when the id was free after all. An id reserved
 * with no job yet is most often another enqueue of the same id (another API
 * replica, another request) between its reservation and its add: answering
 * `created` then would tell two clients they made the job, and the second
 * one's request, when it differs, would be taken for the first. So such ids
 * are watched until their job appears, or their reservation goes (the other
 * add failed); past `placementWaitMs` the reservation is taken for one whose
 * enqueue died before adding, and the id for free. A reservation made long
 * ago whose job is gone is taken over at once.
 */
export async function settleReservedJobs(deps: ReservedJobDeps, jobs: readonly PreparedJob[]): Promise<{ receipts: EnqueueReceipt[]; free: PreparedJob[] }> {
  const key = (id: string): string => jobIndexKey(deps.fleetName, id);
  const receipts: EnqueueReceipt[] = [];
  const free: PreparedJob[] = [];
  const waitUntil = performance.now() + (deps.placementWaitMs ?? DEFAULT_PLACEMENT_WAIT_MS);
  let waiting = jobs;
  for (;;) {
    const found = await Promise.all(waiting.map((job) => reservedJob(deps, job)));
    const stale = waiting.filter((_, i) => found[i] === 'stale');
    await Promise.all(stale.map((job) => deps.redis.set(key(job.id), job.route.tier, 'EX', deps.reservationSeconds)));
    free.push(...stale);
    const freed = waiting.filter((_, i) => found[i] === 'free');
    const claims = await Promise.all(freed.map((job) => deps.redis.set(key(job.id), job.route.tier, 'EX', deps.reservationSeconds, 'NX')));
    free.push(...freed.filter((_, i) => claims[i] === 'OK'));
    for (const receipt of found) if (typeof receipt === 'object') receipts.push(receipt);
    // Still unplaced, or freed and reserved again by another enqueue at once: watched again.
    const next = waiting.filter((job, i) => found[i] === 'unplaced' || (found[i] === 'free' && claims[freed.indexOf(job)] !== 'OK'));
    if (next.length === 0) return { receipts, free };
    if (performance.now() >= waitUntil) {
      await Promise.all(next.map((job) => deps.redis.set(key(job.id), job.route.tier, 'EX', deps.reservationSeconds)));
      free.push(...next);
      return { receipts, free };
    }
    waiting = next;
    await sleep(POLL_MS);
  }
}

/** The receipt of the job (or cancellation) kept under a reserved id, `free` once the reservation is gone, or `unplaced`. */
async function reservedJob(deps: ReservedJobDeps, job: PreparedJob): Promise<Reserved> {
  const key = jobIndexKey(deps.fleetName, job.id);
  const [tier, ttl] = await Promise.all([deps.redis.get(key), deps.redis.ttl(key)]);
  if (tier === null) return 'free';
  const found = await deps.queues.queue(tier).getJob(job.id);
  const kept = found?.data ?? (await cancelledData(deps, job.id));
  if (kept === undefined) return ttl > deps.reservationSeconds - IN_FLIGHT_SECONDS ? 'unplaced' : 'stale';
  // A job enqueued before fingerprints were kept has none: taken as the same request. (A cancelled job's marker keeps its data, digest included.)
  const keptPrint = 'fingerprint' in kept ? kept.fingerprint : undefined;
  const differs = keptPrint !== undefined && job.fingerprint !== undefined && keptPrint !== job.fingerprint;
  return { id: job.id, tier, route: kept.route, created: false, ...(kept.batchId === undefined ? {} : { batchId: kept.batchId }), ...(differs ? { differs: true as const } : {}) };
}

/** What a cancelled job's marker keeps of it, while it is kept. */
async function cancelledData(deps: ReservedJobDeps, id: string): Promise<CancelMarker['data'] | undefined> {
  const cancelled = await deps.redis.get(cancelMarkerKey(deps.fleetName, id));
  return cancelled === null ? undefined : (JSON.parse(cancelled) as CancelMarker).data;
}
