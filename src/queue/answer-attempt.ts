import type { Attempt, AttemptOutcome } from '../core/job/attempt.js';
import type { ModelResult } from '../core/model-result.js';

/** The attempt record of a call that got an answer. */
export function answerAttempt(input: {
  tier: string;
  model: string;
  result: ModelResult;
  outcome: Extract<AttemptOutcome, 'accepted' | 'escalated' | 'voted' | 'undecided' | 'judged' | 'classified'>;
  /** The extracted answer, for a vote (null: none could be extracted). */
  vote?: string | null;
  /** The score behind the decision, when one was made. */
  confidence?: number;
  fallback: boolean;
  startedAt: number;
}): Attempt {
  const { result } = input;
  return {
    tier: input.tier,
    model: input.model,
    ...(result.answeredModelId === input.model ? {} : { answeredModel: result.answeredModelId }),
    outcome: input.outcome,
    startedAt: input.startedAt,
    latencyMs: result.latencyMs,
    ...(result.firstTokenMs === undefined ? {} : { firstTokenMs: result.firstTokenMs }),
    usage: result.usage,
    costUsd: result.costUsd,
    stopReason: result.stopReason,
    ...(input.confidence === undefined ? {} : { confidence: input.confidence }),
    ...(input.vote === undefined ? {} : { vote: input.vote }),
    fallback: input.fallback,
    ...(result.cached === true ? { cached: true as const } : {}),
  };
}
