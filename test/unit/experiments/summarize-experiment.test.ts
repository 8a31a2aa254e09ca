import { describe, expect, it } from 'vitest';
import { judgeGolden, parseGoldenExtractor } from '../../../src/core/experiments/judge-golden.js';
import { measureJob } from '../../../src/core/experiments/measure-job.js';
import { summarizeExperiment, type VariantCounters } from '../../../src/core/experiments/summarize-experiment.js';
import type { Attempt } from '../../../src/core/job/attempt.js';

const counters = (over: Partial<VariantCounters> & { variant: string }): VariantCounters => ({
  jobs: 0,
  completed: 0,
  failed: 0,
  costUsd: 0,
  escalated: 0,
  goldenJudged: 0,
  goldenCorrect: 0,
  latenciesMs: [],
  ...over,
});

describe('summarizeExperiment', () => {
  const summary = summarizeExperiment('cascade-vs-large', [
    counters({
      variant: 'cascade',
      jobs: 120,
      completed: 95,
      failed: 5,
      costUsd: 0.5,
      escalated: 40,
      goldenJudged: 50,
      goldenCorrect: 40,
      latenciesMs: [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],
    }),
    counters({
      variant: 'large',
      jobs: 80,
      completed: 80,
      failed: 0,
      costUsd: 0.8,
      escalated: 0,
      goldenJudged: 20,
      goldenCorrect: 19,
      latenciesMs: [50, 150, 250, 350],
    }),
  ]);
  const [cascade, large] = summary.variants;

  it('counts, shares and pending jobs', () => {
    expect(cascade).toMatchObject({ variant: 'cascade', jobs: 120, share: 0.6, completed: 95, failed: 5, pending: 20 });
    expect(large).toMatchObject({ variant: 'large', jobs: 80, share: 0.4, pending: 0 });
  });

  it('cost in total and per finished job', () => {
    expect(cascade?.costUsd).toBe(0.5);
    expect(cascade?.costPerJobUsd).toBe(0.005);
    expect(large?.costPerJobUsd).toBe(0.01);
  });

  it('nearest-rank p50 and p95 of the latency sample', () => {
    expect(cascade).toMatchObject({ p50Ms: 500, p95Ms: 1000, latencySamples: 10 });
    expect(large).toMatchObject({ p50Ms: 150, p95Ms: 350, latencySamples: 4 });
  });

  it('escalation rate over finished jobs, accuracy over judged ones', () => {
    expect(cascade?.escalationRate).toBe(0.4);
    expect(cascade?.accuracy).toBe(0.8);
    expect(large?.escalationRate).toBe(0);
    expect(large?.accuracy).toBe(0.95);
  });

  it('each later variant minus the first; none on the first', () => {
    expect(cascade?.vsFirst).toBeUndefined();
    expect(large?.vsFirst?.costPerJobUsd).toBe(0.005);
    expect(large?.vsFirst?.p50Ms).toBe(-350);
    expect(large?.vsFirst?.p95Ms).toBe(-650);
    expect(large?.vsFirst?.escalationRate).toBeCloseTo(-0.4, 12);
    expect(large?.vsFirst?.accuracy).toBeCloseTo(0.15, 12);
  });

  it('has no figure where nothing was measured', () => {
    const empty = summarizeExperiment('e', [counters({ variant: 'a', jobs: 3 }), counters({ variant: 'b', jobs: 1, completed: 1, costUsd: 0.1, latenciesMs: [10] })]);
    expect(empty.variants[0]).toMatchObject({ costPerJobUsd: null, p50Ms: null, p95Ms: null, escalationRate: null, accuracy: null, pending: 3 });
    expect(empty.variants[1]?.vsFirst).toEqual({ costPerJobUsd: null, p50Ms: null, p95Ms: null, escalationRate: null, accuracy: null });
    expect(summarizeExperiment('none', []).variants).toEqual([]);
  });
});

const attempt = (over: Partial<Attempt>): Attempt => ({
  tier: 'small',
  model: 'm',
  outcome: 'accepted',
  startedAt: 0,
  latencyMs: 10,
  costUsd: 0.001,
  fallback: false,
  ...over,
});

describe('measureJob', () => {
  it('adds up the cost of every attempt and sees an escalation', () => {
    const m = measureJob({
      state: 'completed',
      strategy: 'cascade',
      attempts: [attempt({ outcome: 'escalated' }), attempt({ tier: 'large', costUsd: 0.01 })],
      tiers: ['small', 'large'],
      answerText: 'The answer is 42.',
      metadata: { golden: 42, goldenExtractor: 'number' },
      enqueuedAt: 1_000,
      finishedAt: 1_750,
    });
    expect(m.costUsd).toBeCloseTo(0.011, 12);
    expect(m).toMatchObject({ state: 'completed', escalated: true, latencyMs: 750, correct: true });
  });

  it('counts only a cascade that climbed: not a budget hand-off, a classifier hand-off or an ensemble on several tiers', () => {
    const done = { state: 'completed' as const, answerText: 'x', metadata: {}, enqueuedAt: 0, finishedAt: 1 };
    // Handed from large to small before any call on large (a spent budget).
    expect(measureJob({ ...done, strategy: 'cascade', attempts: [attempt({ tier: 'small' })], tiers: ['large', 'small'] }).escalated).toBe(false);
    expect(measureJob({ ...done, strategy: 'route', attempts: [attempt({ outcome: 'classified' }), attempt({ tier: 'large' })], tiers: ['small', 'large'] }).escalated).toBe(false);
    expect(measureJob({ ...done, strategy: 'ensemble', attempts: [attempt({}), attempt({ tier: 'large' })], tiers: ['small', 'large'] }).escalated).toBe(false);
    // A tier that could not gather its votes climbs without an escalated attempt.
    expect(measureJob({ ...done, strategy: 'cascade', attempts: [attempt({ outcome: 'error' }), attempt({ tier: 'large' })], tiers: ['small', 'large'] }).escalated).toBe(true);
  });

  it('a failed job: cost and escalation, no latency and no verdict', () => {
    const m = measureJob({ state: 'failed', strategy: 'cascade', attempts: [attempt({ outcome: 'error' })], metadata: { golden: 'x' }, enqueuedAt: 0, finishedAt: 5 });
    expect(m).toEqual({ state: 'failed', costUsd: 0.001, escalated: false });
  });

  it('no verdict without a golden answer', () => {
    const m = measureJob({ state: 'completed', strategy: 'route', attempts: [attempt({})], tiers: ['small'], answerText: 'x', metadata: {}, enqueuedAt: 0, finishedAt: 1 });
    expect(m.correct).toBeUndefined();
    expect(m.escalated).toBe(false);
  });
});

describe('judgeGolden', () => {
  it('compares exactly (normalized) by default', () => {
    expect(judgeGolden('Paris.', { golden: 'paris' })).toBe(true);
    expect(judgeGolden('It is Paris', { golden: 'Paris' })).toBe(false);
    expect(judgeGolden('anything', {})).toBeUndefined();
  });

  it("takes the job's extractor over the experiment's", () => {
    expect(judgeGolden('The answer is (B).', { golden: 'B' }, { kind: 'choice' })).toBe(true);
    // A golden letter in lower case is the same choice.
    expect(judgeGolden('The answer is (B).', { golden: 'b' }, { kind: 'choice' })).toBe(true);
    expect(judgeGolden('The answer is (C).', { golden: 'b' }, { kind: 'choice' })).toBe(false);
    expect(judgeGolden('I make it 1,024 in total', { golden: 1024, goldenExtractor: 'number' }, { kind: 'exact' })).toBe(true);
    expect(judgeGolden('answer: blue', { golden: 'blue', goldenExtractor: 'regex:answer: (\\w+)' })).toBe(true);
  });

  it('an answer the extractor finds nothing in is wrong', () => {
    expect(judgeGolden('no idea', { golden: 7, goldenExtractor: 'number' })).toBe(false);
  });

  it('reads extractor names', () => {
    expect(parseGoldenExtractor('choice:ABCD')).toEqual({ kind: 'choice', letters: 'ABCD' });
    expect(parseGoldenExtractor('regex:(')).toBeUndefined();
    expect(parseGoldenExtractor('fuzzy')).toBeUndefined();
    expect(parseGoldenExtractor(3)).toBeUndefined();
  });
});
