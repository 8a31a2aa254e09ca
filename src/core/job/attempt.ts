import type { ErrorKind } from '../error-kind.js';
import type { StopReason, TokenUsage } from '../model-result.js';

/**
 * What became of one model call of a job:
 * - `accepted`: answered, and the answer was kept;
 * - `escalated`: answered, but not confidently enough; a higher tier was asked;
 * - `error`: the call failed (see `error`);
 * - `breaker-open`: not called, because the model's breaker was open.
 */
export type AttemptOutcome = 'accepted' | 'escalated' | 'error' | 'breaker-open';

/** One model call (or skipped call) made for a job, on any tier. */
export interface Attempt {
  tier: string;
  model: string;
  /** The model that answered, when a prompt router picked another. */
  answeredModel?: string;
  outcome: AttemptOutcome;
  /** Epoch ms when the call started. */
  startedAt: number;
  latencyMs: number;
  firstTokenMs?: number;
  usage?: TokenUsage;
  costUsd: number;
  stopReason?: StopReason;
  confidence?: number;
  /** Set when the outcome is `error`. */
  error?: { kind: ErrorKind; code: string; message: string };
  /** True when an earlier model of the same tier failed or was skipped for this job. */
  fallback: boolean;
}
