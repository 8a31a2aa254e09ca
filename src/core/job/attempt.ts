import type { ErrorKind } from '../error-kind.js';
import type { StopReason, TokenUsage } from '../model-result.js';

/**
 * What became of one model call of a job:
 * - `accepted`: answered, and the answer was kept;
 * - `escalated`: answered, but not confidently enough; a higher tier was asked;
 * - `classified`: labelled the job's task type for the classifier router;
 * - `judged`: a judge model graded another call's answer (the grade is `confidence`);
 * - `voted`: answered as one voter of an agreement cascade whose decision another vote settled;
 * - `undecided`: answered, but the job was cancelled while a judge graded the answer;
 * - `error`: the call failed (see `error`);
 * - `breaker-open`: not called, because the model's breaker was open;
 * - `skipped`: not called, because the request does not fit the model's context window (see `note`);
 * - `refused`: answered, but a guardrail or content filter withheld the answer (see `stopReason`);
 *   a content-policy fallback was asked instead.
 */
export type AttemptOutcome = 'accepted' | 'escalated' | 'voted' | 'undecided' | 'judged' | 'classified' | 'error' | 'breaker-open' | 'skipped' | 'refused';

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
  /** Under the agreement scorer: the answer extracted from this call (null when none could be). */
  vote?: string | null;
  /** Set when the outcome is `error`. */
  error?: { kind: ErrorKind; code: string; message: string };
  /** True when an earlier model of the same tier failed or was skipped for this job. */
  fallback: boolean;
  /** The answer came from the fleet's response cache: no call was made, and it cost nothing. */
  cached?: true;
  /** Why a model was skipped or a fallback chosen, in words. */
  note?: string;
}

/** Whether the call got an answer (kept, escalated past, or counted as a vote). */
export function gotAnswer(attempt: Attempt): boolean {
  return attempt.outcome === 'accepted' || attempt.outcome === 'escalated' || attempt.outcome === 'voted' || attempt.outcome === 'undecided' || attempt.outcome === 'judged' || attempt.outcome === 'classified';
}
