import type { Redis } from 'ioredis';
import { isConversationTurn, type ConversationTurn } from '../../core/conversations/conversation-turn.js';
import { trimHistory, type HistoryLimits } from '../../core/conversations/trim-history.js';
import { fleetPrefix } from '../queue-names.js';

/** A tenant's conversation: a list of exchanges (JSON), oldest first. Tenants never share one. */
export function conversationKey(fleetName: string, tenant: string, id: string): string {
  return `${fleetPrefix(fleetName)}:conversation:${tenant}:${id}`;
}

export interface ConversationRefKey {
  tenant: string;
  id: string;
}

export interface ConversationStore {
  /** The exchanges a next job would continue, within the limits, oldest first; empty when none is kept. */
  history(tenant: string, id: string): Promise<ConversationTurn[]>;
  /** Several histories in one round trip, by `tenant` and `id` (see `historyKey`). */
  histories(refs: readonly ConversationRefKey[]): Promise<Map<string, ConversationTurn[]>>;
  /**
   * Adds one exchange, drops those beyond `maxTurns` and restarts the expiry;
   * false, and nothing added, when the conversation was forgotten at or after
   * `enqueuedAt` (the job that gave the exchange was already under way).
   */
  append(tenant: string, id: string, turn: ConversationTurn, enqueuedAt: number): Promise<boolean>;
  /** Seconds until the conversation expires; undefined when none is kept. */
  expiresIn(tenant: string, id: string): Promise<number | undefined>;
  /** Forgets a conversation, also for jobs in it still under way; false when none was kept. */
  forget(tenant: string, id: string): Promise<boolean>;
}

export interface ConversationStoreDeps {
  redis: Redis;
  fleetName: string;
  limits: HistoryLimits & { ttlSeconds: number };
  now?: () => number;
}

/** KEYS: the conversation, its forget mark; ARGV: now, ttl seconds. Marks only a conversation that was kept: a 404 forgets nothing. */
const FORGET = `
local removed = redis.call('DEL', KEYS[1])
if removed == 1 then redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2]) end
return removed
`;

/** KEYS: the conversation, its forget mark; ARGV: the exchange, maxTurns, ttl seconds, the job's enqueue time. */
const APPEND_UNLESS_FORGOTTEN = `
local forgotten = redis.call('GET', KEYS[2])
if forgotten and tonumber(forgotten) >= tonumber(ARGV[4]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

export const historyKey = (ref: ConversationRefKey): string => `${ref.tenant}\u0000${ref.id}`;

function parseTurns(items: readonly string[], limits: HistoryLimits): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  for (const item of items) {
    try {
      const value: unknown = JSON.parse(item);
      if (isConversationTurn(value)) turns.push(value);
    } catch {
      // An unreadable entry is skipped: the rest of the conversation still alternates.
    }
  }
  return trimHistory(turns, limits);
}

/** Conversation histories in Redis under the fleet's prefix, per tenant and conversation id. */
export function createConversationStore(deps: ConversationStoreDeps): ConversationStore {
  const { redis, fleetName, limits } = deps;
  const now = deps.now ?? Date.now;
  const key = (tenant: string, id: string): string => conversationKey(fleetName, tenant, id);
  const forgottenKey = (tenant: string, id: string): string => `${key(tenant, id)}:forgotten`;
  return {
    async history(tenant, id) {
      return parseTurns(await redis.lrange(key(tenant, id), -limits.maxTurns, -1), limits);
    },
    async histories(refs) {
      const out = new Map<string, ConversationTurn[]>();
      const unique = [...new Map(refs.map((ref) => [historyKey(ref), ref])).values()];
      if (unique.length === 0) return out;
      const read = redis.pipeline();
      for (const ref of unique) read.lrange(key(ref.tenant, ref.id), -limits.maxTurns, -1);
      const replies = (await read.exec()) ?? [];
      unique.forEach((ref, i) => {
        const [error, items] = replies[i] ?? [new Error('no reply'), null];
        if (error !== null) throw error;
        out.set(historyKey(ref), parseTurns(items as string[], limits));
      });
      return out;
    },
    async append(tenant, id, turn, enqueuedAt) {
      const added = await redis.eval(
        APPEND_UNLESS_FORGOTTEN,
        2,
        key(tenant, id),
        forgottenKey(tenant, id),
        JSON.stringify(turn),
        limits.maxTurns,
        limits.ttlSeconds,
        enqueuedAt,
      );
      return added === 1;
    },
    async expiresIn(tenant, id) {
      const ttl = await redis.ttl(key(tenant, id));
      return ttl < 0 ? undefined : ttl;
    },
    async forget(tenant, id) {
      // The mark outlives any job that read the history before it: a job lasts less than a conversation is kept.
      const removed = await redis.eval(FORGET, 2, key(tenant, id), forgottenKey(tenant, id), now(), limits.ttlSeconds);
      return removed === 1;
    },
  };
}
