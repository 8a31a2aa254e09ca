import { describe, expect, it } from 'vitest';
import { formatRunSummary, shortModelId } from '../../src/cli/format-run-summary.js';
import type { Attempt } from '../../src/core/job/attempt.js';
import type { JobResult, JobState } from '../../src/core/job/job-result.js';
import { nearestRank, summarizeRun } from '../../src/core/report/summarize-run.js';
import { makeAttempt } from '../helpers/attempt-fixture.js';

const SMALL = 'amazon.nova-micro-v1:0';
const SMALL_FALLBACK = 'meta.llama3-1-8b-instruct-v1:0';
const MEDIUM = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const MEDIUM_FALLBACK = 'anthropic.claude-3-haiku-20240307-v1:0';
const LARGE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

const attempt = makeAttempt;

let next = 0;
function job(state: JobState, attempts: Attempt[], strategy: JobResult['strategy'] = 'cascade'): JobResult {
  next += 1;
  const last = attempts.at(-1);
  return {
    id: `job-${next}`,
    state,
    tenant: 'default',
    task: strategy === 'cascade' ? 'qa' : 'summarization',
    strategy,
    tags: {},
    tier: last?.tier ?? 'small',
    route: { tier: last?.tier ?? 'small', path: [last?.tier ?? 'small'], reason: 'test' },
    enqueuedAt: 0,
    attempts,
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: attempts.reduce((sum, a) => sum + a.costUsd, 0),
  };
}

describe('nearestRank', () => {
  it('picks the nearest-rank element and 0 for no data', () => {
    const sorted = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(nearestRank(sorted, 50)).toBe(100);
    expect(nearestRank(sorted, 95)).toBe(190);
    expect(nearestRank(sorted, 100)).toBe(200);
    expect(nearestRank(sorted, 0)).toBe(10);
    expect(nearestRank([7], 95)).toBe(7);
    expect(nearestRank([], 50)).toBe(0);
  });
});

describe('summarizeRun', () => {
  const results: JobResult[] = [
    // A route job answered on the medium tier's primary.
    job('completed', [attempt('medium', MEDIUM, 'accepted', { latencyMs: 80 })], 'route'),
    // A cascade answered on small.
    job('completed', [attempt('small', SMALL, 'accepted', { latencyMs: 30 })]),
    // Small unavailable, its fallback escalates, medium's primary throttled, its fallback answers.
    job('completed', [
      attempt('small', SMALL, 'error'),
      attempt('small', SMALL_FALLBACK, 'escalated', { latencyMs: 50, fallback: true }),
      attempt('medium', MEDIUM, 'error'),
      attempt('medium', MEDIUM_FALLBACK, 'accepted', { latencyMs: 90, fallback: true }),
    ]),
    // Escalated twice, answered on large.
    job('completed', [
      attempt('small', SMALL, 'escalated', { latencyMs: 40 }),
      attempt('medium', MEDIUM, 'escalated', { latencyMs: 120 }),
      attempt('large', LARGE, 'accepted', { latencyMs: 300, costUsd: 0.01 }),
    ]),
    // Failed on large: breaker open.
    job('failed', [attempt('large', LARGE, 'breaker-open', { latencyMs: 0 })], 'route'),
    // Still waiting: no attempts yet.
    job('queued', []),
  ];
  const summary = summarizeRun(results, 2_000);

  it('counts jobs, escalations across tiers and throughput', () => {
    expect(summary.jobs).toEqual({ total: 6, completed: 4, failed: 1, escalated: 2, perSecond: 3 });
    expect(summary.wallMs).toBe(2_000);
  });

  it('orders rows by first tier seen, then model id', () => {
    expect(summary.rows.map((r) => [r.tier, r.model])).toEqual([
      ['medium', MEDIUM_FALLBACK],
      ['medium', MEDIUM],
      ['small', SMALL],
      ['small', SMALL_FALLBACK],
      ['large', LARGE],
    ]);
  });

  it('counts outcomes, fallbacks, tokens and cost per model', () => {
    const row = (tier: string, model: string) => summary.rows.find((r) => r.tier === tier && r.model === model);
    expect(row('small', SMALL)).toMatchObject({
      calls: 3,
      answered: 1,
      escalations: 1,
      fallbacks: 0,
      errors: 1,
      breakerSkips: 0,
      inputTokens: 200,
      outputTokens: 40,
      p50LatencyMs: 30,
      p95LatencyMs: 40,
    });
    expect(row('small', SMALL)?.costUsd).toBeCloseTo(0.002, 12);
    expect(row('small', SMALL_FALLBACK)).toMatchObject({ calls: 1, escalations: 1, fallbacks: 1, p50LatencyMs: 50 });
    expect(row('medium', MEDIUM)).toMatchObject({
      calls: 3,
      answered: 1,
      escalations: 1,
      errors: 1,
      p50LatencyMs: 80,
      p95LatencyMs: 120,
    });
    expect(row('medium', MEDIUM_FALLBACK)).toMatchObject({ calls: 1, answered: 1, fallbacks: 1 });
    expect(row('large', LARGE)).toMatchObject({
      calls: 2,
      answered: 1,
      breakerSkips: 1,
      errors: 0,
      p50LatencyMs: 300,
      p95LatencyMs: 300,
    });
  });

  it('totals every attempt; latency percentiles only over answered attempts', () => {
    expect(summary.totals).toMatchObject({
      tier: 'all',
      model: 'all',
      calls: 10,
      answered: 4,
      escalations: 3,
      fallbacks: 2,
      errors: 2,
      breakerSkips: 1,
      inputTokens: 700,
      outputTokens: 140,
      // answered latencies: 30 40 50 80 90 120 300
      p50LatencyMs: 80,
      p95LatencyMs: 300,
    });
    expect(summary.totals.costUsd).toBeCloseTo(0.016, 12);
  });

  it('gives zeros for an empty run', () => {
    const empty = summarizeRun([], 0);
    expect(empty.jobs).toEqual({ total: 0, completed: 0, failed: 0, escalated: 0, perSecond: 0 });
    expect(empty.rows).toEqual([]);
    expect(empty.totals).toMatchObject({ calls: 0, p50LatencyMs: 0, p95LatencyMs: 0, costUsd: 0 });
  });

  it('leaves the input alone', () => {
    const before = JSON.stringify(results);
    summarizeRun(results, 1);
    expect(JSON.stringify(results)).toBe(before);
  });
});

describe('formatRunSummary', () => {
  it('shortens model ids', () => {
    expect(shortModelId(MEDIUM)).toBe('claude-haiku-4-5-20251001-v1:0');
    expect(shortModelId(SMALL)).toBe('nova-micro-v1:0');
    expect(shortModelId(SMALL_FALLBACK)).toBe('llama3-1-8b-instruct-v1:0');
    expect(shortModelId('arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1')).toBe(
      'claude:1',
    );
  });

  it('prints a header and a table that fits 120 columns', () => {
    const summary = summarizeRun(
      [
        job('completed', [
          attempt('small', SMALL, 'escalated'),
          attempt('medium', MEDIUM, 'escalated'),
          attempt('large', LARGE, 'accepted', { usage: { inputTokens: 123_456, outputTokens: 45_678, totalTokens: 0 } }),
        ]),
      ],
      1_500,
    );
    const text = formatRunSummary(summary);
    const lines = text.split('\n');
    expect(lines[0]).toBe('jobs: 1 total, 1 completed, 0 failed, 1 escalated | wall 1.5 s | 0.7 jobs/s');
    // A two-line header, bottom-aligned: the wide headers of narrow figures are split.
    expect(lines[1]).toMatch(/^\s+tokens\s+p50\s+p95$/);
    expect(lines[2]).toMatch(/^tier\s+model\s+calls\s+answered\s+escal\.\s+fallb\.\s+errors\s+in\/out\s+cost \$\s+ms\s+ms$/);
    expect(lines[3]).toMatch(/^[- ]+$/);
    expect(text).toContain('claude-sonnet-4-5-20250929-v1:0');
    expect(text).not.toContain('us.anthropic');
    expect(text).toContain('123456/45678');
    expect(text).toContain('0.003000');
    expect(lines.at(-1)).toMatch(/^all\s+all\s+3\s+1\s+2\s+0\s+0\s+123656\/45718\s+0\.003000\s+100\s+100$/);
    expect(text).not.toContain('\u001b');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
  });
});
