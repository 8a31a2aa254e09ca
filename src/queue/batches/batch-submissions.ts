import type { ChainableCommander, Redis } from 'ioredis';
import { fleetPrefix } from '../queue-names.js';

/**
 * The submissions enqueueing each batch, and the watch of batches still
 * being enqueued. Each submission has a mark (a token with a deadline) it
 * renews while it runs; a batch whose marks have all lapsed, or ended, while
 * it is still enqueueing stopped part-way. The watch holds each such batch by
 * its latest deadline, so a look reads only those due.
 */
export interface BatchSubmissions {
  /** The submission `token` of the batch is alive for another `markMs`; the batch is watched. */
  mark(batchId: string, token: string): Promise<void>;
  /** The submission is over: its mark goes at once (the batch's other submissions keep theirs). */
  end(batchId: string, token: string): Promise<void>;
  /** Whether any submission of the batch is alive. */
  alive(batchId: string): Promise<boolean>;
  /** Takes one due batch off the watch when it stopped part-way: the time its last mark lapsed or ended; null otherwise (it opened, was forgotten, or is alive). */
  take(batchId: string, hashKey: string): Promise<number | null>;
  /** Due batches (their latest mark lapsed), at most `limit`, longest due first. */
  due(limit: number): Promise<string[]>;
  /** Puts a taken batch back on the watch (telling of it failed). */
  putBack(batchId: string, lapsedAt: number): Promise<void>;
  /** Adds to `multi` what takes the batch off the watch (it opened or was forgotten). */
  unwatch(multi: ChainableCommander, batchId: string): ChainableCommander;
}

/** ARGV: token, deadline, id, ttl ms. KEYS: the batch's submissions, the watch. */
const MARK = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[3])`;

/** ARGV: token, now, id. KEYS: the batch's submissions, the watch. The watch's deadline becomes the latest left, or now. */
const END = `
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZSCORE', KEYS[2], ARGV[3]) == false then return 0 end
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
local deadline = tonumber(ARGV[2])
if latest and tonumber(latest) > deadline then deadline = tonumber(latest) end
redis.call('ZADD', KEYS[2], 'XX', deadline, ARGV[3])
return 1`;

/** ARGV: id, now. KEYS: the watch, the batch hash, its submissions. Returns the deadline it lapsed at when taken. */
const TAKE = `
local lapsed = redis.call('ZSCORE', KEYS[1], ARGV[1])
if lapsed == false then return false end
local status = redis.call('HGET', KEYS[2], 'status')
if redis.call('EXISTS', KEYS[2]) == 0 or (status and status ~= 'enqueueing') then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return false
end
if redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[2], '+inf') > 0 then return false end
redis.call('ZREM', KEYS[1], ARGV[1])
return lapsed`;

export function createBatchSubmissions(deps: { redis: Redis; fleetName: string; markMs: number; now: () => number }): BatchSubmissions {
  const submissions = (batchId: string): string => `${fleetPrefix(deps.fleetName)}:batch:${batchId}:submissions`;
  const watch = `${fleetPrefix(deps.fleetName)}:batches:enqueueing`;
  return {
    async mark(batchId, token) {
      await deps.redis.eval(MARK, 2, submissions(batchId), watch, token, deps.now() + deps.markMs, batchId, deps.markMs * 2);
    },
    async end(batchId, token) {
      await deps.redis.eval(END, 2, submissions(batchId), watch, token, deps.now(), batchId);
    },
    async alive(batchId) {
      return (await deps.redis.zcount(submissions(batchId), `(${String(deps.now())}`, '+inf')) > 0;
    },
    async take(batchId, hashKey) {
      const lapsed = (await deps.redis.eval(TAKE, 3, watch, hashKey, submissions(batchId), batchId, deps.now())) as string | null;
      return lapsed === null ? null : Number(lapsed);
    },
    due(limit) {
      return deps.redis.zrangebyscore(watch, '-inf', deps.now(), 'LIMIT', 0, limit);
    },
    async putBack(batchId, lapsedAt) {
      await deps.redis.zadd(watch, 'NX', lapsedAt, batchId);
    },
    unwatch(multi, batchId) {
      return multi.zrem(watch, batchId).del(submissions(batchId));
    },
  };
}
