import type { ChainableCommander, Redis } from 'ioredis';
import { fleetPrefix } from '../queue-names.js';

/**
 * The submissions enqueueing each batch, and the watch of batches still
 * being enqueued. Each submission has a mark (a token with a deadline) it
 * renews while it runs; a batch whose marks have all lapsed, or ended, while
 * it is still enqueueing stopped part-way. The watch holds each such batch by
 * its latest deadline, so a look reads only those due.
 */
/** A stop taken to be told: when it lapsed, and when the taker's lease ends. */
export interface Taken {
  lapsedAt: number;
  lease: number;
}

export interface BatchSubmissions {
  /** The submission `token` of the batch is alive for another `markMs`; the batch is watched. */
  mark(batchId: string, token: string): Promise<void>;
  /** The submission is over: its mark goes at once (the batch's other submissions keep theirs). */
  end(batchId: string, token: string): Promise<void>;
  /** Whether any submission of the batch is alive. */
  alive(batchId: string): Promise<boolean>;
  /**
   * Takes one due batch when it stopped part-way, for a lease: the time its
   * last mark lapsed or ended (the same until a submission carries it on),
   * and the lease, which `told` ends; a taker that dies leaves the batch due
   * again once the lease is over. Null when it opened, was forgotten, or is
   * alive (an open or forgotten one leaves the watch).
   */
  take(batchId: string): Promise<Taken | null>;
  /** The taken batch was told of: it leaves the watch (unless a submission carried it on, or another took it, since). */
  told(batchId: string, taken: Taken): Promise<void>;
  /** Due batches (their latest mark lapsed, or their lease), at most `limit`, longest due first. */
  due(limit: number): Promise<string[]>;
  /** A taken batch is due again at once (telling of it failed), unless a submission carried it on, or another took it, since. */
  putBack(batchId: string, taken: Taken): Promise<void>;
  /** Adds to `multi` what takes the batch off the watch (it opened or was forgotten). */
  unwatch(multi: ChainableCommander, batchId: string): ChainableCommander;
}

/** The older mark's value when this version sets it; a replica not yet upgraded sets '1'. */
const OURS = 't';

/**
 * Every deadline is Redis's clock (TIME, in ms), not a process's: the
 * processes that mark, read and sweep a batch may disagree on the time.
 */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * ARGV: token, mark ms, id. KEYS: the batch's submissions, the watch, the
 * batch hash, the older mark. A stop told already is forgotten: the next is
 * another. The older mark is kept too, for replicas not yet upgraded, as
 * OURS, never over one such a replica set (its own submission's).
 */
const MARK = `${NOW}
local deadline = now + tonumber(ARGV[2])
redis.call('HDEL', KEYS[3], 'interruptedAt')
local older = redis.call('GET', KEYS[4])
if older == false or older == '${OURS}' then redis.call('SET', KEYS[4], '${OURS}', 'PX', ARGV[2]) end
redis.call('ZADD', KEYS[1], deadline, ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
redis.call('ZADD', KEYS[2], 'GT', deadline, ARGV[3])`;

/**
 * ARGV: token, id. KEYS: the batch's submissions, the watch, the older mark.
 * The watch's deadline, and the older mark's when it is OURS, become the
 * latest left (the older mark goes when none is left), or now.
 */
const END = `${NOW}
redis.call('ZREM', KEYS[1], ARGV[1])
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
local deadline = now
if latest and tonumber(latest) > deadline then deadline = tonumber(latest) end
if redis.call('GET', KEYS[3]) == '${OURS}' then
  if deadline > now then redis.call('PEXPIREAT', KEYS[3], deadline) else redis.call('DEL', KEYS[3]) end
end
if redis.call('ZSCORE', KEYS[2], ARGV[2]) == false then return 0 end
redis.call('ZADD', KEYS[2], 'XX', deadline, ARGV[2])
return 1`;

/** Lua: whether a submission is alive: a deadline still to come among the batch's submissions, or the older mark (after NOW). */
const alive = (submissionsKey: string, olderMarkKey: string): string =>
  `(redis.call('ZCOUNT', ${submissionsKey}, '(' .. now, '+inf') > 0 or redis.call('EXISTS', ${olderMarkKey}) == 1)`;

/** Whether a submission of the batch is alive: a deadline to come, or the mark of a submission that began before marks had tokens. KEYS: its submissions, that mark. */
const ALIVE = `${NOW}
if ${alive('KEYS[1]', 'KEYS[2]')} then return 1 end
return 0`;

/**
 * ARGV: id, lease ms. KEYS: the watch, the batch hash, its submissions, the
 * older mark. When taken: when it lapsed (kept on the batch, so a taker after
 * a lease ran out tells the same stop), and the lease's end.
 */
const TAKE = `${NOW}
local lapsed = redis.call('ZSCORE', KEYS[1], ARGV[1])
if lapsed == false then return false end
local status = redis.call('HGET', KEYS[2], 'status')
if redis.call('EXISTS', KEYS[2]) == 0 or (status and status ~= 'enqueueing') then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return false
end
if ${alive('KEYS[3]', 'KEYS[4]')} then return false end
redis.call('HSETNX', KEYS[2], 'interruptedAt', lapsed)
local lease = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', lease, ARGV[1])
return { redis.call('HGET', KEYS[2], 'interruptedAt'), tostring(lease) }`;

/** Whether the watch still holds the batch under this taker's lease for this stop (not another's lease, nor a submission's deadline since). */
const STILL_LEASED = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
local leased = score and tonumber(score) == tonumber(ARGV[2]) and tonumber(redis.call('HGET', KEYS[2], 'interruptedAt')) == tonumber(ARGV[3])
`;

/** ARGV: id, lease, lapsedAt. KEYS: the watch, the batch hash. Told: off the watch. */
const TOLD = `${STILL_LEASED}
if leased then redis.call('ZREM', KEYS[1], ARGV[1]) end`;

/** ARGV: id, lease, lapsedAt. KEYS: the watch, the batch hash. Not told: due again at once. */
const PUT_BACK = `${STILL_LEASED}
if leased then redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1]) end`;

/** How long a taker has to tell of a stop before another may (unless a test shortens it). */
const LEASE_MS = 60_000;

/** Due batches: those whose latest deadline has passed. ARGV: limit. KEYS: the watch. */
const DUE = `${NOW}
return redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))`;

export function createBatchSubmissions(deps: {
  redis: Redis;
  fleetName: string;
  /** The batch's own key (its hash), under which its submissions' keys are. */
  batchKey: (batchId: string) => string;
  markMs: number;
  leaseMs?: number;
}): BatchSubmissions {
  const { batchKey } = deps;
  const submissions = (batchId: string): string => `${batchKey(batchId)}:submissions`;
  /** The one mark of a batch's submissions before marks had tokens: read (a submission on a replica not yet upgraded) and kept (for such replicas' reads). */
  const olderMark = (batchId: string): string => `${batchKey(batchId)}:submitting`;
  const watch = `${fleetPrefix(deps.fleetName)}:batches:enqueueing`;
  return {
    async mark(batchId, token) {
      await deps.redis.eval(MARK, 4, submissions(batchId), watch, batchKey(batchId), olderMark(batchId), token, deps.markMs, batchId);
    },
    async end(batchId, token) {
      await deps.redis.eval(END, 3, submissions(batchId), watch, olderMark(batchId), token, batchId);
    },
    async alive(batchId) {
      return (await deps.redis.eval(ALIVE, 2, submissions(batchId), olderMark(batchId))) === 1;
    },
    async take(batchId) {
      const taken = (await deps.redis.eval(TAKE, 4, watch, batchKey(batchId), submissions(batchId), olderMark(batchId), batchId, deps.leaseMs ?? LEASE_MS)) as [string, string] | null;
      return taken === null ? null : { lapsedAt: Number(taken[0]), lease: Number(taken[1]) };
    },
    async told(batchId, taken) {
      await deps.redis.eval(TOLD, 2, watch, batchKey(batchId), batchId, taken.lease, taken.lapsedAt);
    },
    async due(limit) {
      return (await deps.redis.eval(DUE, 1, watch, limit)) as string[];
    },
    async putBack(batchId, taken) {
      await deps.redis.eval(PUT_BACK, 2, watch, batchKey(batchId), batchId, taken.lease, taken.lapsedAt);
    },
    unwatch(multi, batchId) {
      return multi.zrem(watch, batchId).del(submissions(batchId), olderMark(batchId));
    },
  };
}
