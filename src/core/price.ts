import type { TokenUsage } from './model-result.js';

/** USD per 1,000 tokens. */
export interface Price {
  inputPer1k: number;
  outputPer1k: number;
  /** Input tokens read from the model's prompt cache (a `cachePoint`); 0.1 × input when unset. */
  cacheReadPer1k?: number;
  /** Input tokens written to the model's prompt cache; 1.25 × input when unset. */
  cacheWritePer1k?: number;
}

/** Prompt-cache prices relative to input when the fleet file gives none (Anthropic's on Bedrock; check your models'). */
export const CACHE_READ_SHARE = 0.1;
export const CACHE_WRITE_SHARE = 1.25;

/**
 * Cost of one call in USD, prompt-cache reads and writes included (Bedrock
 * counts them apart from `inputTokens`); rounded to a micro-cent to keep sums stable.
 */
export function costOf(usage: Pick<TokenUsage, 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheWriteInputTokens'>, price: Price): number {
  const cacheRead = (usage.cacheReadInputTokens ?? 0) * (price.cacheReadPer1k ?? price.inputPer1k * CACHE_READ_SHARE);
  const cacheWrite = (usage.cacheWriteInputTokens ?? 0) * (price.cacheWritePer1k ?? price.inputPer1k * CACHE_WRITE_SHARE);
  const raw = (usage.inputTokens * price.inputPer1k + usage.outputTokens * price.outputPer1k + cacheRead + cacheWrite) / 1000;
  return Math.round(raw * 1e8) / 1e8;
}

export type PriceLookup = (modelId: string) => Price | undefined;
