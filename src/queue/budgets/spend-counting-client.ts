import type { Logger } from 'pino';
import type { ModelClient } from '../../core/model-client.js';
import type { CallOptions, ModelRequest } from '../../core/model-request.js';
import type { ModelResult } from '../../core/model-result.js';
import type { SpendStore } from './spend-store.js';

/**
 * A ModelClient that adds what each answered call cost to the fleet's and
 * the call's tenant's spend (`options.tenant`) as soon as it answers, so the
 * budgets see a cascade's, a vote's or a pipeline's spend while the job is
 * still running (docs/budgets.md). Cache hits cost nothing and add nothing.
 * A spend write that fails is logged; the answer is returned all the same.
 */
export function createSpendCountingClient(deps: { client: ModelClient; store: SpendStore; log: Logger; now?: () => number }): ModelClient {
  const { client, store, log } = deps;
  const now = deps.now ?? Date.now;

  async function counted(result: ModelResult, options: CallOptions | undefined): Promise<ModelResult> {
    const tenant = options?.tenant;
    if (tenant === undefined || !(result.costUsd > 0)) return result;
    try {
      await store.add(tenant, result.costUsd, now());
    } catch (error) {
      log.warn({ err: error, tenant, model: result.requestedModelId, costUsd: result.costUsd }, 'spend not counted: the budget may not see this call');
    }
    return result;
  }

  const wrapped: ModelClient = {
    converse: async (request: ModelRequest, options?: CallOptions) => counted(await client.converse(request, options), options),
    converseStream: async (request: ModelRequest, options?: CallOptions) => counted(await client.converseStream(request, options), options),
  };
  if (client.cachedAnswer !== undefined) {
    const lookup = client.cachedAnswer.bind(client);
    wrapped.cachedAnswer = (request, streamed, tenant) => lookup(request, streamed, tenant);
  }
  return wrapped;
}
