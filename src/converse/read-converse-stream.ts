import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { StopReason, TokenUsage } from '../core/model-result.js';
import { toUsage } from './to-token-usage.js';

export interface StreamRead {
  text: string;
  toolUses: Record<string, unknown>[];
  stopReason: StopReason;
  usage: TokenUsage;
  firstTokenMs: number | undefined;
  invokedModelId: string | undefined;
}

/** The connection closed before the model finished; classified as transient. */
export class TruncatedStreamError extends Error {
  override readonly name = 'TruncatedStreamError';
}

interface ToolDraft {
  toolUseId?: string;
  name?: string;
  input: string;
}

/**
 * Assembles a ConverseStream into one answer: text deltas joined, tool-use
 * input JSON gathered per block, first-token latency taken at the first
 * text delta. Exception events surface as the SDK's errors from the loop.
 */
export async function readConverseStream(
  stream: AsyncIterable<ConverseStreamOutput> | undefined,
  clock: { now: () => number; started: number; signal: AbortSignal | undefined },
): Promise<StreamRead> {
  const read: StreamRead = {
    text: '',
    toolUses: [],
    stopReason: 'end_turn',
    usage: toUsage(undefined),
    firstTokenMs: undefined,
    invokedModelId: undefined,
  };
  const tools = new Map<number, ToolDraft>();
  let stopped = false;

  for await (const event of stream ?? []) {
    clock.signal?.throwIfAborted();
    if (event.contentBlockStart?.start?.toolUse !== undefined) {
      const { toolUseId, name } = event.contentBlockStart.start.toolUse;
      tools.set(event.contentBlockStart.contentBlockIndex ?? tools.size, { toolUseId, name, input: '' });
    } else if (event.contentBlockDelta !== undefined) {
      const delta = event.contentBlockDelta.delta;
      if (delta?.text !== undefined) {
        read.firstTokenMs ??= clock.now() - clock.started;
        read.text += delta.text;
      } else if (delta?.toolUse?.input !== undefined) {
        const draft = tools.get(event.contentBlockDelta.contentBlockIndex ?? -1);
        if (draft !== undefined) draft.input += delta.toolUse.input;
      }
    } else if (event.messageStop !== undefined) {
      read.stopReason = event.messageStop.stopReason ?? 'end_turn';
      stopped = true;
    } else if (event.metadata !== undefined) {
      read.usage = toUsage(event.metadata.usage);
      read.invokedModelId = event.metadata.trace?.promptRouter?.invokedModelId;
    }
  }
  // An aborted HTTP/2 stream can end quietly; a cut-off answer is never a result.
  clock.signal?.throwIfAborted();
  if (!stopped) throw new TruncatedStreamError('the stream ended before messageStop; the answer is incomplete');
  for (const draft of tools.values()) {
    let input: unknown = draft.input;
    try {
      input = draft.input === '' ? {} : JSON.parse(draft.input);
    } catch {
      // A model may stream malformed tool input; keep the raw text for the caller.
    }
    read.toolUses.push({ toolUseId: draft.toolUseId, name: draft.name, input });
  }
  return read;
}
