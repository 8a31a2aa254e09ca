import type { TokenUsage } from './model-result.js';

/** USD per 1,000 tokens. */
export interface Price {
  inputPer1k: number;
  outputPer1k: number;
}

/** Cost of one call in USD; rounded to a micro-cent to keep sums stable. */
export function costOf(usage: Pick<TokenUsage, 'inputTokens' | 'outputTokens'>, price: Price): number {
  const raw = (usage.inputTokens * price.inputPer1k + usage.outputTokens * price.outputPer1k) / 1000;
  return Math.round(raw * 1e8) / 1e8;
}

export type PriceLookup = (modelId: string) => Price | undefined;
