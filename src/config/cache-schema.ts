import { z } from 'zod';

const positiveInt = z.number().int().positive();

/**
 * The response cache (`cache` in the fleet file): answers kept in Redis,
 * keyed by model and the whole request. See docs/call-features.md.
 */
export const cacheSchema = z.strictObject({
  /**
   * `off` (the default): no cache. `deterministic`: only calls with
   * `inference.temperature` 0. `always`: every call, sampling or not.
   */
  mode: z.enum(['off', 'deterministic', 'always']).default('off'),
  /** How long an answer stays in the cache. */
  ttlSeconds: positiveInt.default(3_600),
  /** Answers larger than this (as stored JSON) are not cached. */
  maxEntryBytes: positiveInt.default(262_144),
  /** A cache read or write slower than this is given up on (the model is called, nothing fails). */
  timeoutMs: positiveInt.default(250),
  /**
   * `tenant` (the default): each tenant has its own entries, so no tenant
   * can read another's answers, or learn what it asked. `fleet`: one cache
   * for every tenant (more hits; only for tenants that trust each other).
   */
  scope: z.enum(['tenant', 'fleet']).default('tenant'),
});

export type CacheConfig = z.infer<typeof cacheSchema>;
