import type { CallOptions, ModelRequest } from './model-request.js';
import type { ModelResult } from './model-result.js';

/**
 * A provider the fleet can call. The Bedrock adapter implements it; unit
 * tests of pure code may use a scripted one.
 */
export interface ModelClient {
  converse(request: ModelRequest, options?: CallOptions): Promise<ModelResult>;
  converseStream(request: ModelRequest, options?: CallOptions): Promise<ModelResult>;
}
