import type { TokenUsage } from '../model-result.js';
import type { Attempt } from './attempt.js';

/** Tokens and cost over every attempt of a job (cost rounded to 1e-8 USD). Pure. */
export function attemptTotals(attempts: readonly Attempt[]): { usage: TokenUsage; costUsd: number } {
  const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  let cost = 0;
  for (const a of attempts) {
    usage.inputTokens += a.usage?.inputTokens ?? 0;
    usage.outputTokens += a.usage?.outputTokens ?? 0;
    usage.totalTokens += a.usage?.totalTokens ?? 0;
    cost += a.costUsd;
  }
  return { usage, costUsd: Math.round(cost * 1e8) / 1e8 };
}
