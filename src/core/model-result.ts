export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'model_context_window_exceeded'
  | (string & {});

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** What one model call produced, whichever way it was made. */
export interface ModelResult {
  text: string;
  stopReason: StopReason;
  usage: TokenUsage;
  /** USD, from the fleet's price table for the model that answered. */
  costUsd: number;
  /** Wall time of the call as the fleet saw it. */
  latencyMs: number;
  /** Time to the first text delta; streamed calls only. */
  firstTokenMs?: number;
  /** The model id the fleet asked for. */
  requestedModelId: string;
  /** The model that actually answered (differs for prompt-router ARNs). */
  answeredModelId: string;
  /** Tool calls the model asked for, as Converse returned them. */
  toolUses: Record<string, unknown>[];
  requestId?: string;
  /** Whether the answer was produced by streaming. */
  streamed: boolean;
  /** Served from the fleet's response cache: no model was called, and `costUsd` is 0 (`usage` is the original call's). */
  cached?: true;
}
