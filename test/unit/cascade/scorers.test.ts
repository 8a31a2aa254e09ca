import { describe, expect, it } from 'vitest';
import { judgePrompt, parseJudgeScore, DEFAULT_JUDGE_PROMPT } from '../../../src/core/confidence/judge-prompt.js';
import { CLEAN, HEDGED, scoreHeuristic } from '../../../src/core/confidence/score-heuristic.js';

describe('scoreHeuristic', () => {
  it('trusts a plain answer and doubts a hedged one', () => {
    expect(scoreHeuristic({ text: 'Paris.', stopReason: 'end_turn' }).confidence).toBe(CLEAN);
    expect(scoreHeuristic({ text: 'It might be Lyon, I am not sure.', stopReason: 'end_turn' }).confidence).toBe(HEDGED);
    expect(scoreHeuristic({ text: "I don't know.", stopReason: 'end_turn' }).confidence).toBe(HEDGED);
  });
  it('keeps the low caps for cut-off, empty, refused and blocked answers', () => {
    expect(scoreHeuristic({ text: 'The capital is', stopReason: 'max_tokens' })).toMatchObject({ capped: 'max-tokens', confidence: 0.2 });
    expect(scoreHeuristic({ text: '  ', stopReason: 'end_turn' })).toMatchObject({ capped: 'empty', confidence: 0 });
    expect(scoreHeuristic({ text: "I'm sorry, I can't help with that.", stopReason: 'end_turn' })).toMatchObject({ capped: 'refusal' });
    expect(scoreHeuristic({ text: 'blocked', stopReason: 'guardrail_intervened' })).toMatchObject({ capped: 'guardrail', confidence: 0 });
  });
});

describe('the judge prompt and its grade', () => {
  it('fills the question and answer in', () => {
    const prompt = judgePrompt(DEFAULT_JUDGE_PROMPT, 'What is 2+2?', '4');
    expect(prompt).toContain('Question:\nWhat is 2+2?');
    expect(prompt).toContain('Answer:\n4');
  });
  it('reads "Score: N", "N/10" and a lone number as a share of 10', () => {
    expect(parseJudgeScore('Score: 7')).toBeCloseTo(0.7);
    expect(parseJudgeScore('score=10')).toBe(1);
    expect(parseJudgeScore('8/10')).toBeCloseTo(0.8);
    expect(parseJudgeScore(' 3 ')).toBeCloseTo(0.3);
  });
  it('gives no grade for replies without one or out of range', () => {
    expect(parseJudgeScore('The answer looks right.')).toBeUndefined();
    expect(parseJudgeScore('Score: 42')).toBeUndefined();
  });
});
