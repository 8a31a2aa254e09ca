import { describe, expect, it } from 'vitest';
import { checkCustomResult } from '../../../src/core/flows/check-custom-result.js';
import { combineMean } from '../../../src/core/flows/combine-mean.js';
import { combineVote } from '../../../src/core/flows/combine-vote.js';
import { ensembleExtractor, extractMemberAnswer } from '../../../src/core/flows/extract-member-answer.js';
import type { MemberAnswer } from '../../../src/core/flows/member-answer.js';

const member = (n: number, answer: string | undefined, weight = 1, text = `text ${n}`): MemberAnswer => ({
  member: n,
  tier: 'small',
  model: `m${n}`,
  text,
  weight,
  answer,
});

describe('combineVote', () => {
  it('takes the answer most members gave, with the share agreeing as confidence and the first voter\'s text', () => {
    const outcome = combineVote([member(1, 'C', 1, 'I say C'), member(2, 'B', 1, 'B it is'), member(3, 'B', 1, 'Answer: B')]);
    expect(outcome).toEqual({
      ok: true,
      combined: { text: 'B it is', confidence: 2 / 3, reason: 'vote: 2/3 agree on "B" (m2, m3); m1 said "C"' },
    });
  });

  it('counts abstentions among the votes but never for an answer', () => {
    const outcome = combineVote([member(1, 'A'), member(2, undefined), member(3, 'A'), member(4, undefined)]);
    expect(outcome.ok && outcome.combined.confidence).toBe(0.5);
    expect(outcome.ok && outcome.combined.reason).toMatch(/2\/4 agree on "A".*2 gave no answer the extractor could read/);
  });

  it('takes a plurality when no answer has more than half', () => {
    const outcome = combineVote([member(1, 'A'), member(2, 'A'), member(3, 'B'), member(4, 'C')]);
    expect(outcome.ok && outcome.combined).toMatchObject({ confidence: 0.5, text: 'text 1' });
  });

  it('refuses a tie for the top, naming the tied answers', () => {
    const outcome = combineVote([member(1, 'A'), member(2, 'B'), member(3, 'B'), member(4, 'A')]);
    expect(outcome).toEqual({ ok: false, reason: 'vote: no majority among 4 answers: "A" and "B" tie with 2 each' });
  });

  it('refuses when no answer could be read at all', () => {
    expect(combineVote([member(1, undefined), member(2, undefined)])).toEqual({
      ok: false,
      reason: 'vote: none of the 2 answers held anything the extractor could read',
    });
  });

  it('a single member wins alone', () => {
    expect(combineVote([member(1, 'X')])).toMatchObject({ ok: true, combined: { confidence: 1 } });
  });
});

describe('combineMean', () => {
  it('averages the numbers, leaving out members without one', () => {
    const outcome = combineMean([member(1, '4'), member(2, '5'), member(3, undefined), member(4, '6')], false);
    expect(outcome).toEqual({
      ok: true,
      combined: { text: '5', confidence: 0.75, reason: 'mean of 3 numbers (4, 5, 6) = 5; 1 of 4 gave no number and were left out' },
    });
  });

  it('weights each number by its member\'s weight, and confidence by the weight that counted', () => {
    const outcome = combineMean([member(1, '10', 1), member(2, '20', 3), member(3, undefined, 4)], true);
    expect(outcome).toEqual({
      ok: true,
      combined: { text: '17.5', confidence: 0.5, reason: 'weighted mean of 2 numbers (10×1, 20×3) = 17.5; 1 of 3 gave no number and were left out' },
    });
  });

  it('shows a mean without float noise', () => {
    const outcome = combineMean([member(1, '0.1'), member(2, '0.2')], false);
    expect(outcome.ok && outcome.combined.text).toBe('0.15');
    const third = combineMean([member(1, '1'), member(2, '0'), member(3, '0')], false);
    expect(third.ok && third.combined.text).toBe('0.333333333333');
  });

  it('refuses when no member gave a number, or the weights that counted sum to 0', () => {
    expect(combineMean([member(1, undefined)], false)).toEqual({ ok: false, reason: 'mean: none of the 1 answers held a number' });
    expect(combineMean([member(1, '3', 0), member(2, undefined, 1)], true)).toEqual({
      ok: false,
      reason: 'weighted mean: the members that gave a number have a total weight of 0',
    });
  });
});

describe('extractMemberAnswer', () => {
  it('defaults to exact text for votes and numbers for means', () => {
    expect(ensembleExtractor('vote', undefined)).toEqual({ kind: 'exact' });
    expect(ensembleExtractor('weighted-mean', undefined)).toEqual({ kind: 'number' });
    expect(ensembleExtractor('mean', { kind: 'regex', pattern: 'x' })).toEqual({ kind: 'regex', pattern: 'x' });
  });

  it('reads a regex match as a number for means, keeping sign and decimals', () => {
    const regex = { kind: 'regex', pattern: 'score:\\s*(-?[\\d.]+)' } as const;
    expect(extractMemberAnswer('Score: -3.25 (out of 10)', regex, true)).toBe('-3.25');
    expect(extractMemberAnswer('Score: -3.25 (out of 10)', regex, false)).toBe('3 25');
    expect(extractMemberAnswer('no score', regex, true)).toBeUndefined();
  });
});

describe('checkCustomResult', () => {
  it('takes text, confidence and reason, with confidence 1 when unset', () => {
    expect(checkCustomResult({ text: 'x', confidence: 0.4, reason: 'longest' }, 'c.mjs')).toEqual({
      ok: true,
      combined: { text: 'x', confidence: 0.4, reason: 'custom combiner c.mjs: longest' },
    });
    expect(checkCustomResult({ text: 'y' }, 'c.mjs')).toEqual({ ok: true, combined: { text: 'y', confidence: 1, reason: 'custom combiner c.mjs' } });
  });

  it.each([
    [null, 'returned null'],
    ['just text', 'returned string'],
    [{ confidence: 1 }, 'returned no "text" string'],
    [{ text: 'x', confidence: 2 }, 'returned confidence 2; expected a number in [0, 1]'],
    [{ text: 'x', reason: 3 }, 'returned a "reason" that is not a string'],
  ])('refuses %j', (value, message) => {
    const outcome = checkCustomResult(value, 'c.mjs');
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.reason).toContain(message);
  });
});
