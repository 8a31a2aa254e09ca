import type { Attempt } from '../../src/core/job/attempt.js';

/**
 * An attempt for report tests: answered ones cost $0.001 over 100 ms with
 * 100/20 tokens; failed and skipped ones cost nothing; errors carry `error`.
 */
export function makeAttempt(
  tier: string,
  model: string,
  outcome: Attempt['outcome'],
  over: Partial<Attempt> = {},
  error: NonNullable<Attempt['error']> = { kind: 'throttled', code: 'ThrottlingException', message: 'Too many requests' },
): Attempt {
  const answered = outcome === 'accepted' || outcome === 'escalated';
  return {
    tier,
    model,
    outcome,
    startedAt: 1_000,
    latencyMs: answered ? 100 : 5,
    costUsd: answered ? 0.001 : 0,
    fallback: false,
    ...(answered ? { usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 } } : {}),
    ...(outcome === 'error' ? { error } : {}),
    ...over,
  };
}
