import type { TokenUsage as SdkUsage } from '@aws-sdk/client-bedrock-runtime';
import type { TokenUsage } from '../core/model-result.js';

/** The SDK's usage record → the fleet's, zeros where Bedrock sent nothing. */
export function toUsage(usage: SdkUsage | undefined): TokenUsage {
  const inputTokens = usage?.inputTokens ?? 0;
  const outputTokens = usage?.outputTokens ?? 0;
  const result: TokenUsage = { inputTokens, outputTokens, totalTokens: usage?.totalTokens ?? inputTokens + outputTokens };
  if (usage?.cacheReadInputTokens !== undefined) result.cacheReadInputTokens = usage.cacheReadInputTokens;
  if (usage?.cacheWriteInputTokens !== undefined) result.cacheWriteInputTokens = usage.cacheWriteInputTokens;
  return result;
}

