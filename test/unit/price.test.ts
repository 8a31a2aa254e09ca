import { describe, expect, it } from 'vitest';
import { costOf } from '../../src/core/price.js';

const PRICE = { inputPer1k: 1, outputPer1k: 2 };

describe('costOf', () => {
  it('prices input and output tokens per 1K', () => {
    expect(costOf({ inputTokens: 500, outputTokens: 250 }, PRICE)).toBe(1);
  });

  it('prices prompt-cache reads and writes, which Bedrock counts apart from input: 0.1 × and 1.25 × input unless the price says', () => {
    const usage = { inputTokens: 10, outputTokens: 10, cacheReadInputTokens: 100_000, cacheWriteInputTokens: 2_000 };
    expect(costOf(usage, PRICE)).toBeCloseTo((10 + 20 + 100_000 * 0.1 + 2_000 * 1.25) / 1000, 8);
    expect(costOf(usage, { ...PRICE, cacheReadPer1k: 0.25, cacheWritePer1k: 1 })).toBeCloseTo((10 + 20 + 25_000 + 2_000) / 1000, 8);
  });
});
