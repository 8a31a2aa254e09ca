import { describe, expect, it } from 'vitest';
import { updateModelStats, type CallOutcome } from '../../../src/core/routing/update-model-stats.js';
import type { ModelStats } from '../../../src/core/routing/fleet-snapshot.js';

const run = (calls: CallOutcome[], alpha?: number): ModelStats | undefined =>
  calls.reduce<ModelStats | undefined>((stats, call) => updateModelStats(stats, call, alpha === undefined ? {} : { alpha }), undefined);

describe('updateModelStats', () => {
  it('starts from the first call', () => {
    expect(updateModelStats(undefined, { ok: true, latencyMs: 800 })).toEqual({ samples: 1, successRate: 1, p50LatencyMs: 800 });
    expect(updateModelStats(undefined, { ok: false, latencyMs: 50 })).toEqual({ samples: 1, successRate: 0, p50LatencyMs: 50 });
  });

  it('averages plainly over the first 1/alpha calls', () => {
    const stats = run([
      { ok: true, latencyMs: 100 },
      { ok: false, latencyMs: 5 },
      { ok: true, latencyMs: 400 },
      { ok: true, latencyMs: 100 },
    ]);
    expect(stats?.samples).toBe(4);
    expect(stats?.successRate).toBeCloseTo(0.75, 10);
  });

  it('moves by alpha once warmed up', () => {
    const warm: ModelStats = { samples: 100, successRate: 1, p50LatencyMs: 1_000 };
    const after = updateModelStats(warm, { ok: false, latencyMs: 30_000 }, { alpha: 0.2 });
    expect(after).toEqual({ samples: 101, successRate: 0.8, p50LatencyMs: 1_000 });
    const faster = updateModelStats(warm, { ok: true, latencyMs: 500 }, { alpha: 0.5 });
    expect(faster.p50LatencyMs).toBeCloseTo(Math.sqrt(1_000 * 500), 6);
  });

  it('tracks the typical latency, not the mean, so a rare slow call moves it little', () => {
    const calls: CallOutcome[] = Array.from({ length: 200 }, (_, i) => ({ ok: true, latencyMs: i % 20 === 0 ? 20_000 : 1_000 }));
    const stats = run(calls);
    expect(stats?.p50LatencyMs).toBeGreaterThan(1_000);
    expect(stats?.p50LatencyMs).toBeLessThan(1_500);
    expect(stats?.successRate).toBe(1);
  });

  it('converges on a new level after a change', () => {
    const before: CallOutcome[] = Array.from({ length: 100 }, () => ({ ok: true, latencyMs: 1_000 }));
    const after: CallOutcome[] = Array.from({ length: 100 }, () => ({ ok: false, latencyMs: 100 }));
    const stats = run([...before, ...after]);
    expect(stats?.successRate).toBeLessThan(0.01);
    expect(stats?.p50LatencyMs).toBeCloseTo(1_000, 6);
  });

  it('refuses an alpha outside (0, 1]', () => {
    expect(() => updateModelStats(undefined, { ok: true, latencyMs: 1 }, { alpha: 0 })).toThrow(RangeError);
    expect(() => updateModelStats(undefined, { ok: true, latencyMs: 1 }, { alpha: 1.5 })).toThrow(RangeError);
  });
});
