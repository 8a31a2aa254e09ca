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
 * reservation), or reserved with no job: `unplaced` when reserved a moment
 * ago (an add in flight), else stale (its job gone before its reservation
 * expired); with the reservation's time to live, to take it over only if
 * nobody has since.
 */
type Reserved = EnqueueReceipt | 'free' | { unplaced: boolean; pttl: number };

/** Takes a reservation over unless someone renewed it since its time to live (ms) was read. KEYS: the index key; ARGV: tier, that ttl, seconds. */
const TAKE_OVER = `
if redis.call('PTTL', KEYS[1]) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

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
  const waitMs = deps.placementWaitMs ?? DEFAULT_PLACEMENT_WAIT_MS;
  /**
   * Each job's own wait, from when its current reservation was first seen:
   * one reserved again meanwhile (its time to live went up: another enqueue
   * took it over, and adds its job now) is given the whole wait again.
   */
  const waits = new Map<string, { until: number; pttl?: number }>(jobs.map((job) => [job.id, { until: performance.now() + waitMs }]));
  /** Whether the job is settled (a receipt, or its id now this enqueue's); else it is watched again. */
  const settle = async (job: PreparedJob): Promise<boolean> => {
    const wait = waits.get(job.id) ?? { until: performance.now() + waitMs };
    const waitAgain = (): false => {
      waits.set(job.id, { until: performance.now() + waitMs });
      return false;
    };
    const found = await reservedJob(deps, job);
    if (found === 'free') {
      const claimed = (await deps.redis.set(key(job.id), job.route.tier, 'EX', deps.reservationSeconds, 'NX')) === 'OK';
      if (claimed) free.push(job);
      // Reserved again by another enqueue at once: its job is waited for.
      return claimed || waitAgain();
    }
    if ('id' in found) {
      receipts.push(found);
      return true;
    }
    if (wait.pttl !== undefined && found.pttl > wait.pttl) return waitAgain();
    waits.set(job.id, { until: wait.until, pttl: found.pttl });
    if (found.unplaced && performance.now() < wait.until) return false;
    // Stale, or its enqueue died before adding: taken over, unless another enqueue took it over first.
    const taken = (await deps.redis.eval(TAKE_OVER, 1, key(job.id), job.route.tier, found.pttl, deps.reservationSeconds)) === 1;
    if (taken) free.push(job);
    return taken || waitAgain();
  };
  let waiting = jobs;
  for (;;) {
    const settled = await Promise.all(waiting.map((job) => settle(job)));
    waiting = waiting.filter((_, i) => settled[i] !== true);
    if (waiting.length === 0) return { receipts, free };
    await sleep(POLL_MS);
  }
}

/** The receipt of the job (or cancellation) kept under a reserved id, `free` once the reservation is gone, or its reservation with no job. */
async function reservedJob(deps: ReservedJobDeps, job: PreparedJob): Promise<Reserved> {
  const key = jobIndexKey(deps.fleetName, job.id);
  const [tier, pttl] = await Promise.all([deps.redis.get(key), deps.redis.pttl(key)]);
  if (tier === null) return 'free';
  const found = await deps.queues.queue(tier).getJob(job.id);
  const kept = found?.data ?? (await cancelledData(deps, job.id));
  if (kept === undefined) return { unplaced: pttl > (deps.reservationSeconds - IN_FLIGHT_SECONDS) * 1000, pttl };
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
