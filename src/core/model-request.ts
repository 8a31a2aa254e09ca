/**
 * The fleet's own, SDK-free shape of one Converse request. It mirrors the
 * Converse wire shape so a job can carry it as plain JSON; `converse/` maps it
 * to the SDK's input.
 */
export type Role = 'user' | 'assistant';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface TextBlock {
  text: string;
}

export interface ImageBlock {
  image: {
    format: ImageFormat;
    /** Raw bytes, or base64 text when the request travelled as JSON. */
    source: { bytes: Uint8Array | string };
  };
}

/**
 * Blocks the fleet passes through untouched (toolUse, toolResult, document,
 * cachePoint, ...). Exactly one key, as Converse requires.
 */
export type PassThroughBlock = Record<string, unknown>;

export type ContentBlock = TextBlock | ImageBlock | PassThroughBlock;

export interface Message {
  role: Role;
  content: ContentBlock[];
}

export interface InferenceSettings {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ModelRequest {
  /** Bedrock model id, inference-profile ARN or prompt-router ARN. */
  modelId: string;
  messages: Message[];
  system?: string[];
  inference?: InferenceSettings;
  /** Converse `toolConfig`, passed through as given. */
  toolConfig?: Record<string, unknown>;
  /** Converse `guardrailConfig`, passed through as given. */
  guardrailConfig?: Record<string, unknown>;
  additionalModelRequestFields?: Record<string, unknown>;
  requestMetadata?: Record<string, string>;
}

export interface CallOptions {
  /** Cancels the call (the job was cancelled, the worker is shutting down). */
  signal?: AbortSignal;
  /** Per-call time limit; the call fails as a `transient` timeout after it. */
  timeoutMs?: number;
  /** The caller already asked `cachedAnswer` and missed: the call goes to the model without a second lookup. */
  cacheChecked?: boolean;
  /** The tenant whose spend the call's cost counts toward (the budgets'). */
  tenant?: string;
}
