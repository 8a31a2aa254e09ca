import { describe, expect, it } from 'vitest';
import { decideVote } from '../../src/core/confidence/decide-vote.js';
import { extractAnswer, normalizeText } from '../../src/core/confidence/extract-answer.js';
import { scoreAgreement, type Vote } from '../../src/core/confidence/score-agreement.js';

const votes = (...answers: (string | undefined)[]): Vote[] => answers.map((answer, i) => ({ tier: 'small', model: `m${i}`, answer }));

describe('extractAnswer', () => {
  it.each([
    ['C', 'C'],
    ['C\n', 'C'],
    ['The answer is (B).', 'B'],
    ['Answer: A', 'A'],
    ['(D) because the others are wrong', 'D'],
    ['I would pick option b', 'B'],
    ['A. Photosynthesis', 'A'],
    ['No idea.', undefined],
    ['The answer is a bit subtle, but it is (C).', 'C'],
    ['My answer: b.', 'B'],
    ['Answer is c) water', 'C'],
  ])('reads the choice in %j', (text, expected) => {
    expect(extractAnswer(text, { kind: 'choice', letters: 'ABCD' })).toBe(expected);
  });

  it('keeps only the allowed letters', () => {
    expect(extractAnswer('Answer: E', { kind: 'choice', letters: 'AB' })).toBeUndefined();
  });

  it('reads the last number, commas and trailing zeros aside', () => {
    expect(extractAnswer('First 12, then 1,250.50 in total', { kind: 'number' })).toBe('1250.5');
    expect(extractAnswer('none', { kind: 'number' })).toBeUndefined();
    expect(extractAnswer('The total is 1,000,000', { kind: 'number' })).toBe('1000000');
    expect(extractAnswer('3,000,000 or so', { kind: 'number' })).toBe('3000000');
    expect(extractAnswer('1,2345 is not a thousands comma', { kind: 'number' })).toBe('2345');
  });

  it('compares text by its normalized form, and regex answers by their group', () => {
    expect(extractAnswer('  Paris!  ', { kind: 'exact' })).toBe(normalizeText('paris'));
    expect(extractAnswer('Final: Blue Whale.', { kind: 'regex', pattern: 'final:\\s*(.+)' })).toBe('blue whale');
  });
});

describe('scoreAgreement', () => {
  it('gives the share agreeing on the most common answer, abstentions counted', () => {
    expect(scoreAgreement(votes('A', 'A', 'B', undefined))).toEqual({ answer: 'A', agreeing: 2, total: 4, confidence: 0.5 });
  });

  it('has no answer on a tie or without votes', () => {
    expect(scoreAgreement(votes('A', 'B')).answer).toBeUndefined();
    expect(scoreAgreement([])).toEqual({ answer: undefined, agreeing: 0, total: 0, confidence: 0 });
  });
});

describe('decideVote', () => {
  const policy = { quorum: 2, maxVotes: 3 };

  it('accepts once the quorum agrees', () => {
    const decision = decideVote(votes('A', 'A'), policy);
    expect(decision).toMatchObject({ action: 'accept', agreement: { answer: 'A' } });
    expect(decision.reason).toBe('2/2 agree on A: quorum 2 reached');
  });

  it('asks one more voter while the quorum is reachable', () => {
    expect(decideVote(votes('A'), policy).action).toBe('more');
    expect(decideVote(votes('A', 'B'), policy).action).toBe('more');
  });

  it('escalates when the quorum is out of reach', () => {
    expect(decideVote(votes('A', 'B', 'C'), policy).action).toBe('escalate');
    expect(decideVote(votes(undefined, undefined), { quorum: 2, maxVotes: 3 }).action).toBe('escalate');
  });

  it('accumulates votes across tiers', () => {
    const across: Vote[] = [...votes('A', 'B'), { tier: 'medium', model: 'x', answer: 'B' }];
    expect(decideVote(across, policy)).toMatchObject({ action: 'accept', agreement: { answer: 'B', agreeing: 2, total: 3 } });
  });
});
