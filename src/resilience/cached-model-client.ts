import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isCacheable, responseCacheKey, type CacheMode } from '../core/cache/response-cache-key.js';
import { isContentPolicyStop } from '../core/fallback/content-policy.js';
import type { ModelClient } from '../core/model-client.js';
import type { CallOptions, ModelRequest } from '../core/model-request.js';
import type { ModelResult } from '../core/model-result.js';
import { fleetPrefix } from '../queue/queue-names.js';
import { redisWithin } from '../queue/redis-within.js';

export interface ResponseCacheSettings {
  mode: CacheMode;
  ttlSeconds: number;
  maxEntryBytes: number;
  /** A cache read or write slower than this is given up on. */
  timeoutMs: number;
  /** Entries per tenant (the default), or one cache for the whole fleet. */
  scope?: 'tenant' | 'fleet';
}

export interface CachedModelClientDeps {
  client: ModelClient;
  redis: Redis;
  fleetName: string;
  settings: ResponseCacheSettings;
  logger: Logger;
  now?: () => number;
}

/**
 * The Redis key of one cached answer, under the fleet's prefix (so removing
 * the fleet's keys removes it): per tenant unless the cache is fleet-wide.
 */
export function responseCacheRedisKey(fleetName: string, request: ModelRequest, tenant?: string): string {
  const scope = tenant === undefined ? '' : `tenant:${tenant}:`;
  return `${fleetPrefix(fleetName)}:response-cache:${scope}${responseCacheKey(request)}`;
}

/** What is stored: the answer as the model gave it, without the per-call fields. */
type CachedEntry = Pick<ModelResult, 'text' | 'stopReason' | 'usage' | 'answeredModelId' | 'toolUses'> & {
  /** What the original call cost, for the record; a hit costs nothing. */
  originalCostUsd: number;
  storedAt: number;
};

function parseEntry(text: string): CachedEntry | undefined {
  try {
    const entry = JSON.parse(text) as Partial<CachedEntry>;
    if (typeof entry.text !== 'string' || typeof entry.stopReason !== 'string' || typeof entry.usage !== 'object') return undefined;
    return entry as CachedEntry;
  } catch {
    return undefined;
  }
}

/**
 * A ModelClient that answers repeated calls from Redis. Only calls the mode
 * allows (by default none; `deterministic`: temperature 0) are looked up and
 * stored, keyed by the model id and the whole request. A hit is marked
 * `cached: true` and costs 0; streamed calls share entries with plain ones
 * (a hit reports `firstTokenMs` 0). Errors and content-policy refusals are
 * never stored. A cache failure is logged and the model is called.
 * `cachedAnswer` lets the tier call look up before the model's breaker.
 */
export function createCachedModelClient(deps: CachedModelClientDeps): ModelClient {
  const { client, redis, settings, logger } = deps;
  const now = deps.now ?? (() => performance.now());
  if (settings.mode === 'off') return client;

  async function lookup(key: string, modelId: string): Promise<CachedEntry | undefined> {
    try {
      const text = await redisWithin(redis.get(key), settings.timeoutMs);
      return text === null ? undefined : parseEntry(text);
    } catch (error) {
      logger.warn({ err: error, model: modelId }, 'response cache read failed; calling the model');
      return undefined;
    }
  }

  async function store(key: string, result: ModelResult): Promise<void> {
    if (isContentPolicyStop(result.stopReason) || result.cached === true) return;
    const entry: CachedEntry = {
      text: result.text,
      stopReason: result.stopReason,
      usage: result.usage,
      answeredModelId: result.answeredModelId,
      toolUses: result.toolUses,
      originalCostUsd: result.costUsd,
      storedAt: Date.now(),
    };
    const text = JSON.stringify(entry);
    if (Buffer.byteLength(text) > settings.maxEntryBytes) {
      logger.debug({ model: result.requestedModelId, bytes: Buffer.byteLength(text) }, 'answer too large for the response cache');
      return;
    }
    try {
      await redisWithin(redis.set(key, text, 'EX', settings.ttlSeconds), settings.timeoutMs);
    } catch (error) {
      logger.warn({ err: error, model: result.requestedModelId }, 'response cache write failed; the answer is returned uncached');
    }
  }

  /** The stored answer as a free, `cached: true` result; undefined on a miss, an uncacheable request or a cache failure. */
  /** The key of a call's entry: a tenant's own unless the cache is fleet-wide (a call with no tenant: the `default` tenant's). */
  const keyOf = (request: ModelRequest, tenant: string | undefined): string =>
    responseCacheRedisKey(deps.fleetName, request, settings.scope === 'fleet' ? undefined : (tenant ?? 'default'));

  async function cachedAnswer(request: ModelRequest, streamed: boolean, tenant?: string): Promise<ModelResult | undefined> {
    if (!isCacheable(request, settings.mode)) return undefined;
    const started = now();
    const hit = await lookup(keyOf(request, tenant), request.modelId);
    if (hit === undefined) return undefined;
    return {
      text: hit.text,
      stopReason: hit.stopReason,
      usage: hit.usage,
      costUsd: 0,
      latencyMs: Math.max(0, now() - started),
      ...(streamed ? { firstTokenMs: 0 } : {}),
      requestedModelId: request.modelId,
      answeredModelId: hit.answeredModelId,
      toolUses: hit.toolUses,
      streamed,
      cached: true,
    };
  }

  async function call(
    request: ModelRequest,
    options: CallOptions | undefined,
    streamed: boolean,
    inner: (request: ModelRequest, options?: CallOptions) => Promise<ModelResult>,
  ): Promise<ModelResult> {
    if (!isCacheable(request, settings.mode)) return inner(request, options);
    if (options?.cacheChecked !== true) {
      const hit = await cachedAnswer(request, streamed, options?.tenant);
      if (hit !== undefined) return hit;
    }
    const result = await inner(request, options);
    await store(keyOf(request, options?.tenant), result);
    return result;
  }

  return {
    converse: (request, options) => call(request, options, false, (r, o) => client.converse(r, o)),
    converseStream: (request, options) => call(request, options, true, (r, o) => client.converseStream(r, o)),
    cachedAnswer,
  };
}
