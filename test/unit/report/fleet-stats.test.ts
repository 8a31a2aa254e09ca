import { describe, expect, it } from 'vitest';
import type { Attempt } from '../../../src/core/job/attempt.js';
import { latencyPercentiles } from '../../../src/core/report/latency-percentiles.js';
import { epochMinute, minuteStart, minuteWindow } from '../../../src/core/report/minute-window.js';
import { ratio } from '../../../src/core/report/ratio.js';
import { parseRecentJob, recentJobOf } from '../../../src/core/report/recent-job.js';
import { parseStatField, statField } from '../../../src/core/report/stat-field.js';
import { latencySamples, statIncrements } from '../../../src/core/report/stat-increments.js';
import { sumStatBuckets, tierSeries, type StatBucket } from '../../../src/core/report/sum-stat-buckets.js';
import { makeAttempt } from '../../helpers/attempt-fixture.js';

const SMALL = 'amazon.nova-micro-v1:0';
const SMALL_FALLBACK = 'meta.llama3-1-8b-instruct-v1:0';
const MEDIUM = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

const attempt = (tier: string, model: string, outcome: Attempt['outcome'], over: Partial<Attempt> = {}): Attempt =>
  makeAttempt(tier, model, outcome, over, { kind: 'transient', code: 'ServiceUnavailableException', message: 'down' });

/** Increments as a field → value map, for readable expectations. */
const asMap = (job: Parameters<typeof statIncrements>[0]) =>
  Object.fromEntries(statIncrements(job).map(({ field, by }) => [field, by]));

describe('stat fields', () => {
  it('round-trip names holding ":" "." "/" and even "|"', () => {
    for (const name of [SMALL, 'arn:aws:bedrock:us-east-1:123:inference-profile/x', 'odd|name']) {
      expect(parseStatField(statField('model', name, 'calls'))).toEqual({ kind: 'model', name, metric: 'calls' });
    }
  });

  it('reject unknown kinds and malformed fields', () => {
    for (const field of ['', 'model', 'model|x', 'model||calls', 'model|x|', 'widget|x|calls', '|x|calls']) {
      expect(parseStatField(field), field).toBeUndefined();
    }
  });
});

describe('statIncrements', () => {
  it('count a job answered at once', () => {
    expect(asMap({ entryTier: 'small', state: 'completed', tenant: 'acme', attempts: [attempt('small', SMALL, 'accepted')] })).toEqual({
      'job|small|completed': 1,
      'tenant|acme|jobs': 1,
      'tenant|acme|costUsd': 0.001,
      [`model|${SMALL}|calls`]: 1,
      [`model|${SMALL}|answered`]: 1,
      [`model|${SMALL}|inputTokens`]: 100,
      [`model|${SMALL}|outputTokens`]: 20,
      [`model|${SMALL}|costUsd`]: 0.001,
      [`model|${SMALL}|latencyMs`]: 100,
      'tier|small|calls': 1,
      'tier|small|answered': 1,
      'tier|small|decisions': 1,
    });
  });

  it('count errors, breaker skips, fallbacks and escalations where they happened', () => {
    const map = asMap({
      entryTier: 'small',
      state: 'completed',
      tenant: 'acme',
      attempts: [
        attempt('small', SMALL, 'error'),
        attempt('small', SMALL, 'breaker-open'),
        attempt('small', SMALL_FALLBACK, 'escalated', { fallback: true }),
        attempt('medium', MEDIUM, 'accepted', { costUsd: 0.002 }),
      ],
    });
    expect(map).toMatchObject({
      'job|small|completed': 1,
      [`model|${SMALL}|calls`]: 1,
      [`model|${SMALL}|errors`]: 1,
      [`model|${SMALL}|breakerSkips`]: 1,
      [`model|${SMALL_FALLBACK}|fallbacks`]: 1,
      'tier|small|calls': 2,
      'tier|small|errors': 1,
      'tier|small|answered': 1,
      'tier|small|escalations': 1,
      'tier|small|fallbacks': 1,
      'tier|medium|calls': 1,
      'tier|medium|answered': 1,
      'tenant|acme|costUsd': 0.003,
    });
    // Latency sums cover answered calls only; zeros are left out.
    expect(map[`model|${SMALL}|latencyMs`]).toBeUndefined();
    expect(map[`model|${SMALL}|answered`]).toBeUndefined();
    expect(map['tier|medium|escalations']).toBeUndefined();
  });

  it('count a cache hit as a cache hit, not as a call with tokens and latency (an escalation still counts)', () => {
    const hit = attempt('small', SMALL, 'escalated', { cached: true, costUsd: 0, latencyMs: 1, usage: { inputTokens: 50, outputTokens: 20, totalTokens: 70 } });
    const map = asMap({ entryTier: 'small', state: 'completed', tenant: 'acme', attempts: [hit, attempt('medium', MEDIUM, 'accepted')] });
    expect(map[`model|${SMALL}|cacheHits`]).toBe(1);
    for (const metric of ['calls', 'answered', 'inputTokens', 'outputTokens', 'latencyMs']) expect(map[`model|${SMALL}|${metric}`], metric).toBeUndefined();
    expect(map['tier|small|calls']).toBeUndefined();
    expect(map['tier|small|escalations']).toBe(1);
    expect(map[`model|${MEDIUM}|calls`]).toBe(1);
    expect(latencySamples([hit]).size).toBe(0);
  });

  it('count one decision per job per tier, cache hits included: three cached escalations are 3 of 3, not 3 of 0', () => {
    const cachedClimb = [
      attempt('small', SMALL, 'escalated', { cached: true, costUsd: 0 }),
      attempt('medium', MEDIUM, 'accepted', { cached: true, costUsd: 0 }),
    ];
    const sums = new Map<string, number>();
    for (let i = 0; i < 3; i += 1) {
      for (const { field, by } of statIncrements({ entryTier: 'small', state: 'completed', tenant: 'acme', attempts: cachedClimb })) {
        sums.set(field, (sums.get(field) ?? 0) + by);
      }
    }
    expect(sums.get('tier|small|decisions')).toBe(3);
    expect(sums.get('tier|small|escalations')).toBe(3);
    expect(sums.get('tier|medium|decisions')).toBe(3);
    expect(sums.get('tier|medium|escalations')).toBeUndefined();
    // A cache hit is still no call and no answered call.
    expect(sums.get('tier|small|answered')).toBeUndefined();
  });

  it('count an agreement cascade’s tier as one decision, whatever its voters, judges and classifiers did', () => {
    const map = asMap({
      entryTier: 'small',
      state: 'completed',
      tenant: 'acme',
      attempts: [
        attempt('small', SMALL, 'classified'),
        attempt('small', SMALL, 'voted', { vote: 'A' }),
        attempt('small', SMALL_FALLBACK, 'escalated', { vote: 'B' }),
        attempt('medium', MEDIUM, 'voted', { vote: 'B' }),
        attempt('medium', MEDIUM, 'judged'),
        attempt('medium', MEDIUM, 'accepted', { vote: 'B' }),
      ],
    });
    expect(map).toMatchObject({
      'tier|small|answered': 3,
      'tier|small|decisions': 1,
      'tier|small|escalations': 1,
      'tier|medium|answered': 3,
      'tier|medium|decisions': 1,
    });
    expect(map['tier|medium|escalations']).toBeUndefined();
  });

  it('count a cancelled job as cancelled, and a call cut off by a cancel or a shutdown as neither a call nor an error', () => {
    const cut = attempt('small', SMALL, 'error', { error: { kind: 'cancelled', code: 'Cancelled', message: 'the call was cancelled' } });
    const map = asMap({ entryTier: 'small', state: 'cancelled', tenant: 'acme', attempts: [attempt('small', SMALL, 'error'), cut] });
    expect(map).toEqual({
      'job|small|cancelled': 1,
      'tenant|acme|jobs': 1,
      [`model|${SMALL}|calls`]: 1,
      [`model|${SMALL}|errors`]: 1,
      [`model|${SMALL}|cancelled`]: 1,
      'tier|small|calls': 1,
      'tier|small|errors': 1,
    });
    // The same cut-off call on a job that completed later (a shutdown handed it back): still no error.
    const resumed = asMap({ entryTier: 'small', state: 'completed', tenant: 'acme', attempts: [cut, attempt('small', SMALL, 'accepted')] });
    expect(resumed).toMatchObject({ [`model|${SMALL}|calls`]: 1, [`model|${SMALL}|cancelled`]: 1, 'tier|small|calls': 1 });
    expect(resumed[`model|${SMALL}|errors`]).toBeUndefined();
    expect(resumed['tier|small|errors']).toBeUndefined();
    expect(resumed[`model|${SMALL}|breakerSkips`]).toBeUndefined();
  });

  it('count a failed job against its entry tier, even when it made no attempt', () => {
    expect(asMap({ entryTier: 'large', state: 'failed', tenant: 't', attempts: [] })).toEqual({ 'job|large|failed': 1, 'tenant|t|jobs': 1 });
  });

  it('mark USD and fractional values as floats, and round USD to a micro-cent', () => {
    const increments = statIncrements({
      entryTier: 'small',
      state: 'completed',
      tenant: 'acme',
      attempts: [attempt('small', SMALL, 'accepted', { costUsd: 0.1 + 0.2, latencyMs: 12.5 })],
    });
    const byField = new Map(increments.map((i) => [i.field, i]));
    expect(byField.get(`model|${SMALL}|costUsd`)).toEqual({ field: `model|${SMALL}|costUsd`, by: 0.3, float: true });
    expect(byField.get(`model|${SMALL}|latencyMs`)?.float).toBe(true);
    expect(byField.get(`model|${SMALL}|calls`)?.float).toBe(false);
  });
});

describe('latencySamples', () => {
  it('keep the latencies of answered calls, per model, in order', () => {
    const samples = latencySamples([
      attempt('small', SMALL, 'error'),
      attempt('small', SMALL, 'escalated', { latencyMs: 80 }),
      attempt('medium', MEDIUM, 'accepted', { latencyMs: 300 }),
      attempt('small', SMALL, 'accepted', { latencyMs: 90 }),
    ]);
    expect([...samples]).toEqual([
      [SMALL, [80, 90]],
      [MEDIUM, [300]],
    ]);
  });
});

describe('latencyPercentiles', () => {
  it('take nearest-rank p50 and p95 of unsorted samples', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(latencyPercentiles(latencies)).toEqual({ p50: 50, p95: 95, samples: 100 });
    expect(latencyPercentiles([30, 10, 20])).toEqual({ p50: 20, p95: 30, samples: 3 });
  });

  it('give zeros for no samples and skip non-numbers', () => {
    expect(latencyPercentiles([])).toEqual({ p50: 0, p95: 0, samples: 0 });
    expect(latencyPercentiles([Number.NaN, 7])).toEqual({ p50: 7, p95: 7, samples: 1 });
  });
});

describe('ratio', () => {
  it('divide, and call nothing out of nothing 0', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(0, 0)).toBe(0);
    expect(ratio(3, 0)).toBe(0);
  });
});

describe('minute windows', () => {
  it('name the minute a time falls in, and list the window oldest first', () => {
    const now = Date.UTC(2026, 0, 1, 12, 30, 45);
    const minute = epochMinute(now);
    expect(minuteStart(minute)).toBe(Date.UTC(2026, 0, 1, 12, 30));
    expect(minuteWindow(now, 3)).toEqual([minute - 2, minute - 1, minute]);
    expect(minuteWindow(now, 0)).toEqual([]);
  });
});

describe('sumStatBuckets and tierSeries', () => {
  const buckets: StatBucket[] = [
    {
      minute: 100,
      fields: {
        'job|small|completed': '2',
        'tier|small|calls': '3',
        'tier|small|answered': '2',
        'tier|small|escalations': '1',
        [`model|${SMALL}|calls`]: '3',
        [`model|${SMALL}|costUsd`]: '0.0015',
        'tenant|acme|costUsd': '0.0015',
        'tenant|acme|jobs': '2',
        'widget|x|y': '9',
        'model|x|unknownMetric': '9',
      },
    },
    {
      minute: 102,
      fields: {
        'job|small|failed': '1',
        'job|small|cancelled': '2',
        'job|flows|completed': '1',
        'job|medium|completed': '1',
        'tier|small|decisions': '1',
        'tier|small|calls': '1',
        'tier|medium|calls': '1',
        [`model|${SMALL}|calls`]: '1',
        [`model|${SMALL}|costUsd`]: '0.0005',
        [`model|${SMALL}|errors`]: 'not a number',
      },
    },
  ];

  it('add up every known field over the buckets', () => {
    const totals = sumStatBuckets(buckets);
    expect(totals.jobs.get('small')).toEqual({ completed: 2, failed: 1, cancelled: 2 });
    expect(totals.jobs.get('medium')).toEqual({ completed: 1, failed: 0, cancelled: 0 });
    expect(totals.jobs.get('flows')).toEqual({ completed: 1, failed: 0, cancelled: 0 });
    expect(totals.tiers.get('small')).toMatchObject({ calls: 4, answered: 2, decisions: 1, escalations: 1, fallbacks: 0 });
    expect(totals.models.get(SMALL)).toMatchObject({ calls: 4, errors: 0 });
    expect(totals.models.get(SMALL)?.costUsd).toBeCloseTo(0.002, 10);
    expect(totals.tenants.get('acme')).toEqual({ jobs: 2, costUsd: 0.0015 });
    expect(totals.models.has('x')).toBe(false);
  });

  it('lay each tier out per minute, with zeros for quiet minutes and tiers', () => {
    const series = tierSeries(buckets, [100, 101, 102], ['small', 'medium', 'large']);
    expect(series.get('small')).toEqual({ jobs: [2, 0, 3], calls: [3, 0, 1] });
    expect(series.get('medium')).toEqual({ jobs: [0, 0, 1], calls: [0, 0, 1] });
    expect(series.get('large')).toEqual({ jobs: [0, 0, 0], calls: [0, 0, 0] });
    // A bucket outside the window is ignored.
    expect(tierSeries(buckets, [101, 102], ['small']).get('small')).toEqual({ jobs: [0, 3], calls: [0, 1] });
    expect(tierSeries(buckets, [102], ['flows']).get('flows')).toEqual({ jobs: [1], calls: [0] });
  });
});

describe('recent jobs', () => {
  it('name the answering tier and model, the cost over every attempt, and the time from enqueue to finish', () => {
    const job = recentJobOf({
      id: 'j1',
      tenant: 'acme',
      entryTier: 'small',
      state: 'completed',
      attempts: [attempt('small', SMALL, 'escalated'), attempt('medium', MEDIUM, 'accepted', { costUsd: 0.002 })],
      answer: { tier: 'medium', model: MEDIUM },
      enqueuedAt: 1_000,
      finishedAt: 1_450,
    });
    expect(job).toEqual({
      id: 'j1',
      tenant: 'acme',
      entryTier: 'small',
      state: 'completed',
      tier: 'medium',
      model: MEDIUM,
      costUsd: 0.003,
      latencyMs: 450,
      attempts: 2,
      finishedAt: 1_450,
    });
    expect(parseRecentJob(JSON.stringify(job))).toEqual(job);
  });

  it('name the last attempt of a failed job', () => {
    const job = recentJobOf({
      id: 'j2',
      tenant: 'acme',
      entryTier: 'small',
      state: 'failed',
      attempts: [attempt('small', SMALL, 'error'), attempt('small', SMALL_FALLBACK, 'error')],
      enqueuedAt: 1_000,
      finishedAt: 900,
    });
    expect(job).toMatchObject({ tier: 'small', model: SMALL_FALLBACK, costUsd: 0, latencyMs: 0 });
  });

  it('keep a cancelled job as cancelled', () => {
    const job = recentJobOf({ id: 'j3', tenant: 'acme', entryTier: 'flows', state: 'cancelled', attempts: [], enqueuedAt: 0, finishedAt: 5 });
    expect(parseRecentJob(JSON.stringify(job))).toMatchObject({ id: 'j3', entryTier: 'flows', state: 'cancelled' });
  });

  it('refuse stored text that is not a recent job', () => {
    for (const text of ['', 'nope', '[]', 'null', '{"id":"x"}', JSON.stringify({ ...recentJobOf({ id: 'a', tenant: 't', entryTier: 's', state: 'completed', attempts: [], enqueuedAt: 0, finishedAt: 0 }), state: 'odd' })]) {
      expect(parseRecentJob(text), text).toBeUndefined();
    }
  });
});
