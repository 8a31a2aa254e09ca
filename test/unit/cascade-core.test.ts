import { describe, expect, it } from 'vitest';
import { decideEscalation, gradeCannotMatter } from '../../src/core/cascade/decide-escalation.js';
import { DEFAULT_CONFIDENCE, scoreConfidence } from '../../src/core/cascade/score-confidence.js';

describe('scoreConfidence', () => {
  it.each([
    ['The answer is B.\nConfidence: 0.85', 0.85],
    ['The answer is B.\nconfidence = 0.4', 0.4],
    ['The answer is B.\n**Confidence:** 90%', 0.9],
    ['The answer is B.\nConfidence: 72', 0.72],
  ])('parses the self-report out of %j', (text, expected) => {
    const score = scoreConfidence({ text, stopReason: 'end_turn' });
    expect(score.selfReported).toBeCloseTo(expected, 10);
    expect(score.confidence).toBeCloseTo(expected, 10);
    expect(score.text).toBe('The answer is B.');
  });

  it('keeps the text and gives the default without a self-report', () => {
    expect(scoreConfidence({ text: 'Paris.', stopReason: 'end_turn' })).toEqual({
      confidence: DEFAULT_CONFIDENCE,
      text: 'Paris.',
      selfReported: undefined,
      capped: undefined,
    });
  });

  it('ignores an out-of-range figure but still removes the line', () => {
    const score = scoreConfidence({ text: 'B\nConfidence: 250', stopReason: 'end_turn' });
    expect(score).toMatchObject({ selfReported: undefined, confidence: DEFAULT_CONFIDENCE, text: 'B' });
  });

  it.each([
    ['an answer cut at max tokens', { text: 'The answer is\nConfidence: 0.95', stopReason: 'max_tokens' }, 'max-tokens', 0.2],
    ['an empty answer', { text: 'Confidence: 0.9', stopReason: 'end_turn' }, 'empty', 0],
    ['a refusal', { text: "I'm sorry, I can't help with that.\nConfidence: 0.99", stopReason: 'end_turn' }, 'refusal', 0.1],
    ['a guardrail intervention', { text: 'Blocked.', stopReason: 'guardrail_intervened' }, 'guardrail', 0],
  ])('floors %s whatever the model says', (_label, answer, capped, confidence) => {
    expect(scoreConfidence(answer)).toMatchObject({ capped, confidence });
  });
});

describe('decideEscalation', () => {
  const path = ['small', 'medium', 'large'];
  const thresholds = { small: 0.7, medium: 0.8 };

  it('escalates to the next tier below the threshold', () => {
    expect(decideEscalation({ path, tier: 'small', confidence: 0.3, thresholds })).toEqual({
      action: 'escalate',
      toTier: 'medium',
      reason: 'confidence 0.30 < 0.7 on small',
    });
    expect(decideEscalation({ path, tier: 'medium', confidence: 0.79, thresholds })).toMatchObject({ toTier: 'large' });
  });

  it('accepts at or above the threshold', () => {
    expect(decideEscalation({ path, tier: 'small', confidence: 0.7, thresholds })).toMatchObject({ action: 'accept' });
  });

  it('accepts on the top tier of the path, or on a tier with no threshold', () => {
    expect(decideEscalation({ path, tier: 'large', confidence: 0.1, thresholds })).toMatchObject({ action: 'accept' });
    expect(decideEscalation({ path: ['small', 'medium'], tier: 'medium', confidence: 0.1, thresholds })).toMatchObject({
      action: 'accept',
      reason: expect.stringContaining('top of the path') as unknown,
    });
  });

  it('refuses a tier that is not on the path', () => {
    expect(() => decideEscalation({ path, tier: 'huge', confidence: 0.5, thresholds })).toThrow(/not on the cascade path/);
  });
});

describe('gradeCannotMatter', () => {
  const path = ['small', 'medium', 'large'];
  it('says why no grade could change the decision: the top of the path, or a tier without a threshold', () => {
    expect(gradeCannotMatter({ path: ['large'], tier: 'large', thresholds: { large: 0.9 } })).toBe('top of the path');
    expect(gradeCannotMatter({ path, tier: 'medium', thresholds: { small: 0.7 } })).toBe('tier medium has no threshold');
  });
  it('is undefined when a grade decides between accepting and climbing', () => {
    expect(gradeCannotMatter({ path, tier: 'small', thresholds: { small: 0.7 } })).toBeUndefined();
  });
});
