import { createHash } from 'node:crypto';
import type { ModelRequest } from '../model-request.js';
import { canonicalJson } from './canonical-json.js';

/** Which calls the response cache may answer. */
export type CacheMode = 'off' | 'deterministic' | 'always';

/** Bumped when the key's input changes shape, so old entries are never read as new ones. */
const KEY_VERSION = 'v1';

/**
 * The cache key of one call: sha256 (hex) of the model id and the whole
 * request (messages, system, inference, toolConfig, guardrailConfig,
 * additional fields, metadata) as canonical JSON, so key order never matters.
 */
export function responseCacheKey(request: ModelRequest): string {
  const { modelId, ...rest } = request;
  return createHash('sha256').update(`${KEY_VERSION}\n${modelId}\n${canonicalJson(rest)}`).digest('hex');
}

/** Whether a call may be answered from, and stored in, the cache. */
export function isCacheable(request: ModelRequest, mode: CacheMode): boolean {
  if (mode === 'always') return true;
  if (mode === 'off') return false;
  return request.inference?.temperature === 0;
}
