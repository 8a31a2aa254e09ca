import type { Redis } from 'ioredis';
import type { ModelStatsEntry } from '../../core/routing/fleet-snapshot.js';
import {
  decodeModelStats,
  decodeModelStatsHash,
  encodeModelStats,
  foldModelStats,
  modelStatsField,
} from '../../core/routing/model-stats-record.js';
import type { CallOutcome } from '../../core/routing/update-model-stats.js';
import { fleetPrefix } from '../queue-names.js';

/** The hash of per-(model, task) stats the whole fleet shares (model-stats-record.ts tells its fields). */
export function modelStatsKey(fleetName: string): string {
  return `${fleetPrefix(fleetName)}:model-stats`;
}

/** The hash outlives its last write by this much. */
const KEY_TTL_SECONDS = 7 * 86_400;
/** Tries of one read-compute-swap before giving up (only under heavy contention on one field across processes). */
const MAX_TRIES = 50;

/**
 * Compare-and-set of one hash field: writes ARGV[3] only when the field
 * still holds ARGV[2] ('' for missing). Atomic in Redis and stateless on the
 * connection, unlike WATCH, so it is safe on a connection shared by
 * concurrent callers.
 */
const SWAP_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

export interface ModelStatsStoreDeps {
  redis: Redis;
  fleetName: string;
  /** Weight of the newest call in the moving averages; updateModelStats' default (0.1) when unset. */
  alpha?: number;
  now?: () => number;
  /** Waits between two tries of a swap that lost to another writer; a few random ms by default. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ModelStatsStore {
  /** Folds calls into one field (a model overall, or a model for one task) atomically; resolves once they are stored. */
  record(model: string, task: string | undefined, calls: readonly CallOutcome[]): Promise<void>;
  /** Every model's stats, overall and per task, for the routers' snapshot. */
  readAll(): Promise<Record<string, ModelStatsEntry>>;
}

/** Calls waiting for one field's next write, and who waits on them. */
interface Pending {
  calls: CallOutcome[];
  waiters: { resolve: () => void; reject: (error: Error) => void }[];
}

/**
 * Per-(model, task) success rate and latency moving averages in Redis,
 * shared by the fleet. An update reads the field, folds the new calls in
 * with the pure updateModelStats, and swaps the result in with a Lua
 * compare-and-set; when another writer got there first the swap fails and
 * the update starts over from the newer value (after a short random wait),
 * so no call is lost or counted twice. Within a process, calls for one
 * field that arrive while its write is in flight are combined into the next
 * write, so writers contend only across processes.
 */
export function createModelStatsStore(deps: ModelStatsStoreDeps): ModelStatsStore {
  const key = modelStatsKey(deps.fleetName);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pending = new Map<string, Pending>();
  const writing = new Set<string>();

  async function swapIn(field: string, calls: readonly CallOutcome[]): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      if (tries > 0) await sleep(1 + Math.floor(Math.random() * Math.min(50, 5 * tries)));
      const current = await deps.redis.hget(key, field);
      const next = foldModelStats(decodeModelStats(current), calls, deps.alpha);
      if (next === undefined) return;
      const swapped = await deps.redis.eval(SWAP_SCRIPT, 1, key, field, current ?? '', encodeModelStats(next, now()), KEY_TTL_SECONDS);
      if (swapped === 1) return;
    }
    throw new Error(`model stats for ${field}: lost the swap to other writers ${MAX_TRIES} times in a row; ${calls.length} calls are dropped`);
  }

  /** Writes the field's pending calls, batch after batch, until none are left. */
  async function drain(field: string): Promise<void> {
    writing.add(field);
    try {
      for (let batch = pending.get(field); batch !== undefined; batch = pending.get(field)) {
        pending.delete(field);
        try {
          await swapIn(field, batch.calls);
          for (const waiter of batch.waiters) waiter.resolve();
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const waiter of batch.waiters) waiter.reject(failure);
        }
      }
    } finally {
      writing.delete(field);
    }
  }

  return {
    record(model, task, calls) {
      if (calls.length === 0) return Promise.resolve();
      const field = modelStatsField(model, task);
      return new Promise<void>((resolve, reject) => {
        const batch = pending.get(field);
        if (batch === undefined) pending.set(field, { calls: [...calls], waiters: [{ resolve, reject }] });
        else {
          batch.calls.push(...calls);
          batch.waiters.push({ resolve, reject });
        }
        if (!writing.has(field)) void drain(field);
      });
    },
    async readAll() {
      return decodeModelStatsHash(await deps.redis.hgetall(key));
    },
  };
}
