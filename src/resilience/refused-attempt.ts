import type { Attempt } from '../core/job/attempt.js';
import type { ModelResult } from '../core/model-result.js';

/** The record of a call whose answer a guardrail or content filter withheld: billed, but not the answer. */
export function refusedAttempt(input: {
  tier: string;
  model: string;
  answered: { result: ModelResult; startedAt: number };
  fallback: boolean;
  note: string;
}): Attempt {
  const { tier, model, fallback, note } = input;
  const { result, startedAt } = input.answered;
  return {
    tier,
    model,
    ...(result.answeredModelId === model ? {} : { answeredModel: result.answeredModelId }),
    outcome: 'refused',
    startedAt,
    latencyMs: result.latencyMs,
    ...(result.firstTokenMs === undefined ? {} : { firstTokenMs: result.firstTokenMs }),
    usage: result.usage,
    costUsd: result.costUsd,
    stopReason: result.stopReason,
    fallback,
    ...(result.cached === true ? { cached: true as const } : {}),
    note,
  };
}
