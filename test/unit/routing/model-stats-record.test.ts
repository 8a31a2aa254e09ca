import { describe, expect, it } from 'vitest';
import type { Attempt } from '../../../src/core/job/attempt.js';
import {
  callOutcomesByModel,
  decodeModelStats,
  decodeModelStatsHash,
  encodeModelStats,
  foldModelStats,
  modelStatsField,
} from '../../../src/core/routing/model-stats-record.js';
import { updateModelStats } from '../../../src/core/routing/update-model-stats.js';

const attempt = (model: string, outcome: Attempt['outcome'], latencyMs: number, extra: Partial<Attempt> = {}): Attempt => ({
  tier: 'small',
  model,
  outcome,
  startedAt: 0,
  latencyMs,
  costUsd: 0,
  fallback: false,
  ...extra,
});

describe('model stats in Redis: fields and values', () => {
  it('names a field per model and per (model, task)', () => {
    expect(modelStatsField('amazon.nova-micro-v1:0')).toBe('amazon.nova-micro-v1:0');
    expect(modelStatsField('amazon.nova-micro-v1:0', 'billing')).toBe('amazon.nova-micro-v1:0|billing');
  });

  it('round-trips a value and refuses malformed ones', () => {
    const value = encodeModelStats({ samples: 3, successRate: 2 / 3, p50LatencyMs: 120.5 }, 1_000);
    expect(decodeModelStats(value)).toEqual({ samples: 3, successRate: 2 / 3, p50LatencyMs: 120.5, at: 1_000 });
    for (const bad of [null, undefined, '', 'nope', '[]', '{"samples":1}', '{"samples":"1","successRate":1,"p50LatencyMs":1,"at":1}']) {
      expect(decodeModelStats(bad), String(bad)).toBeUndefined();
    }
  });

  it('reads the whole hash into the snapshot\'s stats, overall and by task', () => {
    const hash = {
      'm.a': encodeModelStats({ samples: 4, successRate: 0.75, p50LatencyMs: 100 }, 1),
      'm.a|billing': encodeModelStats({ samples: 3, successRate: 1, p50LatencyMs: 90 }, 1),
      'm.a|coding': encodeModelStats({ samples: 1, successRate: 0, p50LatencyMs: 300 }, 1),
      'm.b|billing': encodeModelStats({ samples: 2, successRate: 1, p50LatencyMs: 50 }, 1),
      'm.c': 'garbage',
    };
    expect(decodeModelStatsHash(hash)).toEqual({
      'm.a': {
        samples: 4,
        successRate: 0.75,
        p50LatencyMs: 100,
        byTask: { billing: { samples: 3, successRate: 1, p50LatencyMs: 90 }, coding: { samples: 1, successRate: 0, p50LatencyMs: 300 } },
      },
      'm.b': { samples: 0, successRate: 0, p50LatencyMs: 0, byTask: { billing: { samples: 2, successRate: 1, p50LatencyMs: 50 } } },
    });
  });
});

describe('model stats from a job\'s attempts', () => {
  it('counts answers as successes and errors as failures, per model in order; skips breaker skips and cancellations', () => {
    const calls = callOutcomesByModel([
      attempt('m.a', 'error', 30, { error: { kind: 'transient', code: 'ServiceUnavailableException', message: 'x' } }),
      attempt('m.b', 'breaker-open', 0),
      attempt('m.a', 'escalated', 200),
      attempt('m.c', 'error', 5, { error: { kind: 'cancelled', code: 'AbortError', message: 'x' } }),
      attempt('m.c', 'accepted', 400),
      attempt('m.a', 'accepted', 100),
    ]);
    expect([...calls]).toEqual([
      ['m.a', [{ ok: false, latencyMs: 30 }, { ok: true, latencyMs: 200 }, { ok: true, latencyMs: 100 }]],
      ['m.c', [{ ok: true, latencyMs: 400 }]],
    ]);
  });

  it('folds calls in with updateModelStats, one after another', () => {
    const calls = [
      { ok: true, latencyMs: 100 },
      { ok: false, latencyMs: 5 },
    ];
    const expected = updateModelStats(updateModelStats(undefined, calls[0]!), calls[1]!);
    expect(foldModelStats(undefined, calls)).toEqual(expected);
    expect(foldModelStats(expected, [])).toBe(expected);
    expect(foldModelStats(undefined, [])).toBeUndefined();
    expect(foldModelStats(undefined, [{ ok: true, latencyMs: 100 }, { ok: true, latencyMs: 400 }], 1)?.p50LatencyMs).toBeCloseTo(400);
  });
});
