import { withinMs } from '../core/within-ms.js';

/** A Redis read or write that did not answer in time. */
export class RedisTimeout extends Error {
  override readonly name = 'RedisTimeout';
}

/**
 * Rejects with a RedisTimeout when `promise` takes longer than `ms`: a slow
 * or lost Redis (whose connection queues commands until it is back) must
 * not hold up what waits on it.
 */
export function redisWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withinMs(promise, ms, () => new RedisTimeout(`no answer from Redis in ${String(ms)} ms`));
}
