import type { CallOptions, ModelRequest } from './model-request.js';
import type { ModelResult } from './model-result.js';

/**
 * A provider the fleet can call. The Bedrock adapter implements it; unit
 * tests of pure code may use a scripted one.
 */
export interface ModelClient {
  converse(request: ModelRequest, options?: CallOptions): Promise<ModelResult>;
  converseStream(request: ModelRequest, options?: CallOptions): Promise<ModelResult>;
  /**
   * The stored answer to this request when a response cache holds one (never
   * throws: a cache failure is a miss). Looked up before the model's circuit
   * breaker, so a cached answer is served while the model is down and never
   * counts as a call to it. Absent when the fleet has no cache. `tenant`:
   * whose entries to read, when the cache is kept per tenant.
   */
  cachedAnswer?(request: ModelRequest, streamed: boolean, tenant?: string): Promise<ModelResult | undefined>;
}
