import type { Attempt, AttemptOutcome } from '../core/job/attempt.js';
import type { ModelResult } from '../core/model-result.js';

/** The attempt record of a call that got an answer. */
export function answerAttempt(input: {
  tier: string;
  model: string;
  result: ModelResult;
  outcome: Extract<AttemptOutcome, 'accepted' | 'escalated'>;
  confidence: number;
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
    confidence: input.confidence,
    fallback: input.fallback,
  };
}
