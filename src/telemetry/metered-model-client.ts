import { ModelCallError } from '../core/model-call-error.js';
import type { ModelClient } from '../core/model-client.js';
import type { CallOptions, ModelRequest } from '../core/model-request.js';
import type { ModelResult } from '../core/model-result.js';
import type { FleetMetrics } from './fleet-metrics.js';

export interface MeteredModelClientDeps {
  client: ModelClient;
  metrics: FleetMetrics;
  /** The tier that lists a model ('' for one no tier lists). */
  tierOf: (modelId: string) => string;
  now?: () => number;
}

/**
 * A ModelClient that records each call in the fleet metrics: its duration,
 * tokens and cost, or the error kind it failed with. A call cut off by a
 * cancel or a shutdown says nothing of the model and is not recorded; an
 * answer from the response cache is counted as a cache hit, not a call.
 */
export function createMeteredModelClient(deps: MeteredModelClientDeps): ModelClient {
  const { client, metrics, tierOf } = deps;
  const now = deps.now ?? Date.now;

  async function metered(call: () => Promise<ModelResult>, request: ModelRequest, options: CallOptions | undefined): Promise<ModelResult> {
    const startedAt = now();
    const base = { model: request.modelId, tier: tierOf(request.modelId), ...(options?.tenant === undefined ? {} : { tenant: options.tenant }) };
    try {
      const result = await call();
      if (result.cached === true) metrics.cacheHit(base.model, base.tier);
      else metrics.modelCall({ ...base, durationMs: result.latencyMs, usage: result.usage, costUsd: result.costUsd });
      return result;
    } catch (error) {
      // The Bedrock adapter classifies every failure; anything else is named as the semantic conventions say: `_OTHER`.
      const errorKind = error instanceof ModelCallError ? error.kind : '_OTHER';
      if (errorKind !== 'cancelled') metrics.modelCall({ ...base, durationMs: now() - startedAt, errorKind });
      throw error;
    }
  }

  const wrapped: ModelClient = {
    converse: (request, options) => metered(() => client.converse(request, options), request, options),
    converseStream: (request, options) => metered(() => client.converseStream(request, options), request, options),
  };
  if (client.cachedAnswer !== undefined) {
    const lookup = client.cachedAnswer.bind(client);
    wrapped.cachedAnswer = async (request, streamed, tenant) => {
      const hit = await lookup(request, streamed, tenant);
      if (hit !== undefined) metrics.cacheHit(request.modelId, tierOf(request.modelId));
      return hit;
    };
  }
  return wrapped;
}
