import { describe, expect, it, vi } from 'vitest';
import { createAdaptiveRouter, type AdaptiveRouterOptions } from '../../../src/core/routing/adaptive-router.js';
import type { ModelStats, ModelStatsEntry } from '../../../src/core/routing/fleet-snapshot.js';
import type { RoutingFleet } from '../../../src/core/routing/routing-fleet.js';
import { FLEET, job, snapshot } from './fixtures.js';

/** A random() that returns the given numbers in turn, and records how often it was asked. */
const scripted = (...values: number[]) => {
  const queue = [...values];
  return vi.fn(() => {
    const next = queue.shift();
    if (next === undefined) throw new Error('random() called more often than scripted');
    return next;
  });
};

const SMALL: RoutingFleet = { tiers: FLEET.tiers.slice(0, 1) };
const stats = (samples: number, successRate: number, p50LatencyMs: number): ModelStats => ({ samples, successRate, p50LatencyMs });
/** Per-task stats for task "qa", on top of overall stats that must not count. */
const forQa = (byModel: Record<string, ModelStats>) =>
  snapshot({
    stats: Object.fromEntries(
      Object.entries(byModel).map(([id, s]): [string, ModelStatsEntry] => [id, { ...stats(1_000, 0, 1), byTask: { qa: s } }]),
    ),
  });
const router = (options: Partial<AdaptiveRouterOptions> & Pick<AdaptiveRouterOptions, 'random'>) =>
  createAdaptiveRouter({ fleet: SMALL, ...options });

describe('createAdaptiveRouter: exploration of new models', () => {
  it('explores the least-tried model with too few calls for the task first', () => {
    const random = scripted();
    const choice = router({ random })(job({ task: 'qa' }), forQa({ 'small.cheap': stats(50, 1, 100), 'small.alt': stats(2, 1, 100) }));
    expect(choice).toEqual({ tier: 'small', model: 'small.alt', reason: 'exploring small.alt on tier small: 2 "qa" calls so far, under 5' });
    expect(random).not.toHaveBeenCalled();
  });

  it('counts only the job\'s task: a model measured on other tasks is still new', () => {
    const choice = router({ random: scripted(0.99) })(job({ task: 'qa' }), forQa({}));
    expect(choice?.reason).toMatch(/0 "qa" calls so far/);
    expect(choice?.model).toBe('small.alt');
  });

  it('breaks ties among equally new models with random()', () => {
    expect(router({ random: scripted(0.2) })(job(), snapshot())?.model).toBe('small.cheap');
    expect(router({ random: scripted(0.7) })(job(), snapshot())?.model).toBe('small.alt');
  });
});

describe('createAdaptiveRouter: epsilon-greedy', () => {
  const known = forQa({ 'small.cheap': stats(100, 0.9, 400), 'small.alt': stats(100, 0.99, 800) });

  it('exploits the best score of success rate and latency', () => {
    // cheap: (0.9 + 0.25·1) / 1.25 = 0.92; alt: (0.99 + 0.25·0.5) / 1.25 = 0.892
    const random = scripted(0.5);
    const choice = router({ random })(job({ task: 'qa' }), known);
    expect(choice).toEqual({
      tier: 'small',
      model: 'small.cheap',
      reason: 'best score 0.920 (success 0.900, latency 400 ms over 100 "qa" calls): small.cheap on tier small',
    });
    expect(random).toHaveBeenCalledTimes(1);
  });

  it('follows the weights', () => {
    const successOnly = router({ random: scripted(0.5), weights: { success: 1, latency: 0 } });
    expect(successOnly(job({ task: 'qa' }), known)?.model).toBe('small.alt');
  });

  it('explores at random with probability epsilon', () => {
    const choice = router({ random: scripted(0.05, 0.9) })(job({ task: 'qa' }), known);
    expect(choice?.model).toBe('small.alt');
    expect(choice?.reason).toMatch(/^exploring at random \(ε = 0.1\): small.alt on tier small, score 0.892 .*; the best is small.cheap$/);
    const greedy = router({ random: scripted(0.1), exploration: { kind: 'epsilon-greedy', epsilon: 0.1 } });
    expect(greedy(job({ task: 'qa' }), known)?.model).toBe('small.cheap');
  });

  it('never explores at random with epsilon 0', () => {
    const choice = router({ random: scripted(0), exploration: { kind: 'epsilon-greedy', epsilon: 0 } })(job({ task: 'qa' }), known);
    expect(choice?.model).toBe('small.cheap');
  });
});

describe('createAdaptiveRouter: UCB1', () => {
  it('gives rarely tried models a bonus that shrinks as they are tried', () => {
    const random = scripted();
    const ucb = router({ random, exploration: { kind: 'ucb1' } });
    // equal scores; the less-tried model gets the larger bonus
    const rare = forQa({ 'small.cheap': stats(1_000, 0.9, 500), 'small.alt': stats(10, 0.8, 500) });
    const choice = ucb(job({ task: 'qa' }), rare);
    expect(choice?.model).toBe('small.alt');
    expect(choice?.reason).toMatch(/^best UCB1 bound [\d.]+ = score 0.840 .* \+ bonus [\d.]+: small.alt on tier small$/);
    const settled = forQa({ 'small.cheap': stats(1_000, 0.9, 500), 'small.alt': stats(1_000, 0.8, 500) });
    expect(ucb(job({ task: 'qa' }), settled)?.model).toBe('small.cheap');
    expect(random).not.toHaveBeenCalled();
  });
});

describe('createAdaptiveRouter: the fleet', () => {
  it('skips open breakers and keeps to the job\'s tier', () => {
    const adaptive = createAdaptiveRouter({ fleet: FLEET, random: scripted(0) });
    expect(adaptive(job(), snapshot({ breakers: { 'small.cheap': 'open' } }))?.model).toBe('small.alt');
    expect(createAdaptiveRouter({ fleet: FLEET, random: scripted(0.99) })(job({ tier: 'medium' }), snapshot())).toMatchObject({
      tier: 'medium',
      model: 'medium.b',
    });
  });

  it('has no opinion when no model is usable', () => {
    const adaptive = router({ random: scripted() });
    expect(adaptive(job(), snapshot({ breakers: { 'small.cheap': 'open', 'small.alt': 'open' } }))).toBeUndefined();
  });

  it('refuses weights that cannot score', () => {
    expect(() => router({ random: scripted(), weights: { success: 0, latency: 0 } })).toThrow(RangeError);
  });
});
