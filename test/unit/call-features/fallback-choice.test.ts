import { describe, expect, it } from 'vitest';
import { estimateRequestTokens, TOKENS_PER_IMAGE } from '../../../src/core/estimate-request-tokens.js';
import { contentPolicyRetryModel, isContentPolicyStop } from '../../../src/core/fallback/content-policy.js';
import { chooseWindowFallback, type WindowModel } from '../../../src/core/fallback/window-fallback.js';

const model = (id: string, contextWindow: number, inputPer1k: number, outputPer1k = 0.01): WindowModel => ({
  id,
  contextWindow,
  price: { inputPer1k, outputPer1k },
});

const FLEET = [
  model('small-a', 1_000, 0.01),
  model('small-b', 2_000, 0.02),
  model('big-cheap', 50_000, 0.1),
  model('big-dear', 200_000, 1),
  model('huge', 1_000_000, 3),
];

describe('chooseWindowFallback', () => {
  const tokens = (n: number) => () => n;

  it('picks the fitting model with the lowest input price, skipping the tier', () => {
    const choice = chooseWindowFallback({ models: FLEET, exclude: new Set(['small-a', 'small-b']), tokensFor: tokens(40_000) });
    expect(choice).toMatchObject({ model: 'big-cheap' });
    expect(choice.reason).toMatch(/cheapest fleet model whose window fits \(window 50000\)/);
  });

  it('skips models whose window is too small, however cheap', () => {
    expect(chooseWindowFallback({ models: FLEET, exclude: new Set(), tokensFor: tokens(100_000) }).model).toBe('big-dear');
  });

  it('breaks price ties by output price, then fleet order', () => {
    const tied = [model('x', 10_000, 0.1, 0.5), model('y', 10_000, 0.1, 0.2), model('z', 10_000, 0.1, 0.2)];
    expect(chooseWindowFallback({ models: tied, exclude: new Set(), tokensFor: tokens(5_000) }).model).toBe('y');
  });

  it('prefers the configured model when it fits, even when it is dearer', () => {
    const choice = chooseWindowFallback({ models: FLEET, configured: 'huge', exclude: new Set(['small-a']), tokensFor: tokens(5_000) });
    expect(choice).toMatchObject({ model: 'huge', reason: 'configured context-window fallback (window 1000000)' });
  });

  it('falls back to the cheapest fit when the configured model does not fit, and says so', () => {
    const choice = chooseWindowFallback({ models: FLEET, configured: 'big-cheap', exclude: new Set(), tokensFor: tokens(60_000) });
    expect(choice.model).toBe('big-dear');
    expect(choice.reason).toMatch(/the configured big-cheap does not fit/);
  });

  it('reads each model its own estimate (a family variant may be longer)', () => {
    const perModel = (id: string) => (id === 'big-cheap' ? 60_000 : 40_000);
    expect(chooseWindowFallback({ models: FLEET, exclude: new Set(), tokensFor: perModel }).model).toBe('big-dear');
  });

  it('names the largest window when nothing fits', () => {
    expect(chooseWindowFallback({ models: FLEET, exclude: new Set(), tokensFor: tokens(2_000_000) })).toEqual({
      model: undefined,
      reason: 'no fleet model has a window that fits',
      largestWindow: 1_000_000,
      largestModel: 'huge',
    });
  });
});

describe('content policy', () => {
  it('knows the stop reasons of a withheld answer', () => {
    expect(isContentPolicyStop('guardrail_intervened')).toBe(true);
    expect(isContentPolicyStop('content_filtered')).toBe(true);
    expect(isContentPolicyStop('end_turn')).toBe(false);
    expect(isContentPolicyStop('max_tokens')).toBe(false);
  });

  it('retries on the configured model only, and never on the model that refused', () => {
    expect(contentPolicyRetryModel({ stopReason: 'content_filtered', model: 'a', configured: 'b' })).toBe('b');
    expect(contentPolicyRetryModel({ stopReason: 'guardrail_intervened', model: 'a', configured: 'b' })).toBe('b');
    expect(contentPolicyRetryModel({ stopReason: 'content_filtered', model: 'a', configured: undefined })).toBeUndefined();
    expect(contentPolicyRetryModel({ stopReason: 'content_filtered', model: 'b', configured: 'b' })).toBeUndefined();
    expect(contentPolicyRetryModel({ stopReason: 'end_turn', model: 'a', configured: 'b' })).toBeUndefined();
  });
});

describe('estimateRequestTokens', () => {
  it('counts system prompts and message text at about four characters a token, and images at a flat rate', () => {
    const text = 'x'.repeat(399);
    expect(estimateRequestTokens({ system: ['s'.repeat(400)], messages: [{ role: 'user', content: [{ text }] }] })).toBe(200);
    const withImage = { messages: [{ role: 'user' as const, content: [{ image: { format: 'png' as const, source: { bytes: 'AAAA' } } }] }] };
    expect(estimateRequestTokens(withImage)).toBe(TOKENS_PER_IMAGE);
  });

  it('counts a document by its size and format, not by the JSON of its bytes', () => {
    const doc = (format: string, bytes: Uint8Array | string) => ({
      messages: [{ role: 'user' as const, content: [{ document: { format, name: 'report', source: { bytes } } }] }],
    });
    // 1 MB of PDF: about 131k tokens at 8 bytes a token (its JSON would count a million indices).
    expect(estimateRequestTokens(doc('pdf', new Uint8Array(1_048_576)))).toBe(131_072);
    // Base64 as it travels in a JSON job: 4 characters carry 3 bytes.
    expect(estimateRequestTokens(doc('pdf', 'A'.repeat(8_000)))).toBe(750);
    // A text format: about four bytes a token.
    expect(estimateRequestTokens(doc('md', new Uint8Array(4_000)))).toBe(1_000);
  });
});
