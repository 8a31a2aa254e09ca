import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { ModelCallError } from '../core/model-call-error.js';
import type { ModelClient } from '../core/model-client.js';
import type { CallOptions, ModelRequest } from '../core/model-request.js';
import type { ModelResult } from '../core/model-result.js';

export interface TracedModelClientDeps {
  client: ModelClient;
  tracer: Tracer;
  /** The tier that lists a model ('' for one no tier lists). */
  tierOf: (modelId: string) => string;
}

/**
 * A ModelClient that wraps each call in a span, as the GenAI semantic
 * conventions name it (`chat <model>`, a client span): the model asked and
 * the one that answered, tokens, the stop reason, the fleet's tier, and the
 * error kind of a failed call. Never the prompt or the answer. The span is a
 * child of whatever is active: the BullMQ job's run, when the queues trace.
 */
export function createTracedModelClient(deps: TracedModelClientDeps): ModelClient {
  const { client, tracer, tierOf } = deps;

  function traced(call: () => Promise<ModelResult>, request: ModelRequest, streamed: boolean): Promise<ModelResult> {
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': request.modelId,
      'fleet.tier': tierOf(request.modelId),
      'fleet.streamed': streamed,
    };
    return tracer.startActiveSpan(`chat ${request.modelId}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        const result = await call();
        span.setAttributes({
          'gen_ai.response.model': result.answeredModelId,
          'gen_ai.response.finish_reasons': [result.stopReason],
          'gen_ai.usage.input_tokens': result.usage.inputTokens,
          'gen_ai.usage.output_tokens': result.usage.outputTokens,
          'fleet.cost_usd': result.costUsd,
          ...(result.cached === true ? { 'fleet.cached': true } : {}),
          ...(result.requestId === undefined ? {} : { 'aws.request_id': result.requestId }),
        });
        return result;
      } catch (error) {
        const kind = error instanceof ModelCallError ? error.kind : '_OTHER';
        span.setAttribute('error.type', kind);
        // A call cut off by a cancel or a shutdown is not the model's failure.
        if (kind !== 'cancelled') span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  const wrapped: ModelClient = {
    converse: (request, options?: CallOptions) => traced(() => client.converse(request, options), request, false),
    converseStream: (request, options?: CallOptions) => traced(() => client.converseStream(request, options), request, true),
  };
  if (client.cachedAnswer !== undefined) wrapped.cachedAnswer = client.cachedAnswer.bind(client);
  return wrapped;
}
