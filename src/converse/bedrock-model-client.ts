import {
  ConverseCommand,
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ContentBlock as SdkContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { ModelClient } from '../core/model-client.js';
import type { CallOptions, ModelRequest } from '../core/model-request.js';
import type { ModelResult, TokenUsage } from '../core/model-result.js';
import { costOf, type PriceLookup } from '../core/price.js';
import { ModelCallError } from '../core/model-call-error.js';
import { callSignal } from './call-signal.js';
import { classifyConverseError } from './classify-converse-error.js';
import { readConverseStream } from './read-converse-stream.js';
import { toConverseInput } from './to-converse-input.js';
import { toUsage } from './to-token-usage.js';

export interface BedrockModelClientDeps {
  client: BedrockRuntimeClient;
  /** Price of a model; the requested model's price covers router ARNs whose pick is unknown. */
  priceOf: PriceLookup;
  /** Milliseconds since some origin; injected so tests can steer time. */
  now?: () => number;
}

function textAndTools(content: SdkContentBlock[] | undefined): { text: string; toolUses: Record<string, unknown>[] } {
  let text = '';
  const toolUses: Record<string, unknown>[] = [];
  for (const block of content ?? []) {
    if (block.text !== undefined) text += block.text;
    else if (block.toolUse !== undefined) toolUses.push({ ...block.toolUse });
  }
  return { text, toolUses };
}

/** The Bedrock Converse adapter: the fleet's `ModelClient` on the real SDK. */
export function createBedrockModelClient(deps: BedrockModelClientDeps): ModelClient {
  const now = deps.now ?? (() => performance.now());

  const costFor = (requested: string, answered: string, usage: TokenUsage): number => {
    const price = deps.priceOf(answered) ?? deps.priceOf(requested);
    if (price === undefined) {
      throw new ModelCallError({
        kind: 'invalid-request',
        code: 'NoPrice',
        modelId: requested,
        message: `model "${requested}" has no price in the fleet file; add it to a tier with its price`,
      });
    }
    return costOf(usage, price);
  };

  return {
    async converse(request: ModelRequest, options: CallOptions = {}): Promise<ModelResult> {
      const started = now();
      const control = callSignal(options);
      try {
        const out = await deps.client.send(new ConverseCommand(toConverseInput(request)), {
          abortSignal: control.signal,
        });
        if (out.output?.message === undefined) {
          // Bedrock always sends a message with a success: this answer was lost on the way (an empty body, say).
          throw new ModelCallError({ kind: 'transient', code: 'UnreadableAnswer', modelId: request.modelId, httpStatus: out.$metadata.httpStatusCode, message: `the answer (HTTP ${String(out.$metadata.httpStatusCode)}) has no message; it is retried` });
        }
        const usage = toUsage(out.usage);
        const answered = out.trace?.promptRouter?.invokedModelId ?? request.modelId;
        const { text, toolUses } = textAndTools(out.output?.message?.content);
        return {
          text,
          toolUses,
          stopReason: out.stopReason ?? 'end_turn',
          usage,
          costUsd: costFor(request.modelId, answered, usage),
          latencyMs: now() - started,
          requestedModelId: request.modelId,
          answeredModelId: answered,
          requestId: out.$metadata.requestId,
          streamed: false,
        };
      } catch (error) {
        throw classifyConverseError(error, {
          modelId: request.modelId,
          timedOut: control.timedOut(),
          cancelled: control.cancelled(),
        });
      }
    },

    async converseStream(request: ModelRequest, options: CallOptions = {}): Promise<ModelResult> {
      const started = now();
      const control = callSignal(options);
      let streamStarted = false;
      try {
        const out = await deps.client.send(new ConverseStreamCommand(toConverseInput(request)), {
          abortSignal: control.signal,
        });
        streamStarted = true;
        const read = await readConverseStream(out.stream, { now, started, signal: control.signal });
        const answered = read.invokedModelId ?? request.modelId;
        return {
          text: read.text,
          toolUses: read.toolUses,
          stopReason: read.stopReason,
          usage: read.usage,
          costUsd: costFor(request.modelId, answered, read.usage),
          latencyMs: now() - started,
          ...(read.firstTokenMs === undefined ? {} : { firstTokenMs: read.firstTokenMs }),
          requestedModelId: request.modelId,
          answeredModelId: answered,
          requestId: out.$metadata.requestId,
          streamed: true,
        };
      } catch (error) {
        throw classifyConverseError(error, {
          modelId: request.modelId,
          midStream: streamStarted,
          timedOut: control.timedOut(),
          cancelled: control.cancelled(),
        });
      }
    },
  };
}
