import { describe, expect, it } from 'vitest';
import { createCostRouter } from '../../../src/core/routing/cost-router.js';
import type { BreakerState } from '../../../src/core/routing/fleet-snapshot.js';
import { FLEET, job, snapshot } from './fixtures.js';

const router = createCostRouter({ fleet: FLEET });
const withBreakers = (breakers: Record<string, BreakerState>) => snapshot({ breakers });

describe('createCostRouter', () => {
  it('takes the cheapest model when the job sets no minimum', () => {
    expect(router(job(), snapshot())).toEqual({
      tier: 'small',
      model: 'small.cheap',
      reason: 'cheapest model rated ≥ 0: small.cheap (quality 0.4, est. $0.000200) on tier small',
    });
  });

  it('takes the cheapest model that meets the job\'s minimum quality, across tiers', () => {
    expect(router(job({ minQuality: 0.6 }), snapshot())).toMatchObject({ tier: 'medium', model: 'medium.b' });
    expect(router(job({ minQuality: 0.7 }), snapshot())).toMatchObject({ tier: 'medium', model: 'medium.a' });
    expect(router(job({ minQuality: 0.93 }), snapshot())).toMatchObject({ tier: 'large', model: 'large.b' });
  });

  it('uses the default minimum for jobs that set none', () => {
    const strict = createCostRouter({ fleet: FLEET, defaultMinQuality: 0.9 });
    expect(strict(job(), snapshot())).toMatchObject({ model: 'large.a' });
    expect(strict(job({ minQuality: 0 }), snapshot())).toMatchObject({ model: 'small.cheap' });
  });

  it('weighs output tokens: a long answer changes which model is cheapest', () => {
    const fleet = {
      tiers: [
        {
          name: 'only',
          models: [
            { id: 'cheap-in', price: { inputPer1k: 0.001, outputPer1k: 0.01 }, contextWindow: 100_000 },
            { id: 'cheap-out', price: { inputPer1k: 0.004, outputPer1k: 0.002 }, contextWindow: 100_000 },
          ],
        },
      ],
    };
    const cost = createCostRouter({ fleet });
    expect(cost(job({ inputTokens: 10_000, expectedOutputTokens: 100 }), snapshot())).toMatchObject({ model: 'cheap-in' });
    expect(cost(job({ inputTokens: 1_000, expectedOutputTokens: 2_000 }), snapshot())).toMatchObject({ model: 'cheap-out' });
  });

  it('passes over models whose window cannot hold the job', () => {
    expect(router(job({ inputTokens: 9_000 }), snapshot())).toMatchObject({ model: 'small.alt' });
  });

  it('skips models whose breaker is open and says so; a half-open breaker is usable', () => {
    const choice = router(job({ minQuality: 0.6 }), withBreakers({ 'medium.b': 'open' }));
    expect(choice).toEqual({
      tier: 'medium',
      model: 'medium.a',
      reason: 'cheapest model rated ≥ 0.6: medium.a (quality 0.75, est. $0.00200) on tier medium; skipped cheaper medium.b (breaker open)',
    });
    expect(router(job({ minQuality: 0.6 }), withBreakers({ 'medium.b': 'half-open' }))).toMatchObject({ model: 'medium.b' });
  });

  it('climbs to a dearer qualifying model before it gives up quality', () => {
    const choice = router(job({ minQuality: 0.6 }), withBreakers({ 'medium.a': 'open', 'medium.b': 'open' }));
    expect(choice).toMatchObject({ tier: 'large', model: 'large.a' });
    expect(choice?.reason).toContain('skipped cheaper medium.b, medium.a (breaker open)');
  });

  it('degrades to the next lower tier with a usable model when every qualifying model is open', () => {
    const open = withBreakers({ 'large.a': 'open', 'large.b': 'open', 'medium.a': 'open', 'medium.b': 'open' });
    const choice = router(job({ minQuality: 0.9 }), open);
    expect(choice).toEqual({
      tier: 'small',
      model: 'small.alt',
      reason:
        'every model rated ≥ 0.9 has its breaker open (large.a, large.b); degrades to the lower tier small: ' +
        'best usable small.alt (quality 0.5, est. $0.000400) on tier small',
    });
  });

  it('stays in the chosen tier when a model there still answers, below the minimum', () => {
    const choice = router(job({ minQuality: 0.7 }), withBreakers({ 'medium.a': 'open', 'large.a': 'open', 'large.b': 'open' }));
    expect(choice).toMatchObject({ tier: 'medium', model: 'medium.b' });
    expect(choice?.reason).toContain('falls back within tier medium');
  });

  it('takes the best-rated model of the top tier when no model is rated high enough', () => {
    const choice = router(job({ minQuality: 0.99 }), snapshot());
    expect(choice).toMatchObject({ tier: 'large', model: 'large.b' });
    expect(choice?.reason).toMatch(/^no model that holds the job is rated ≥ 0.99; falls back within tier large/);
  });

  it('counts unrated models as quality 0', () => {
    const fleet = {
      tiers: [
        { name: 'a', models: [{ id: 'unrated', price: { inputPer1k: 0, outputPer1k: 0 }, contextWindow: 100_000 }] },
        { name: 'b', models: [{ id: 'rated', price: { inputPer1k: 1, outputPer1k: 1 }, contextWindow: 100_000, quality: 0.1 }] },
      ],
    };
    const cost = createCostRouter({ fleet });
    expect(cost(job(), snapshot())).toMatchObject({ model: 'unrated', reason: expect.stringContaining('quality unrated') as string });
    expect(cost(job({ minQuality: 0.1 }), snapshot())).toMatchObject({ model: 'rated' });
  });

  it('picks within the job\'s tier when it has one', () => {
    expect(router(job({ tier: 'large' }), snapshot())).toMatchObject({ tier: 'large', model: 'large.a' });
  });

  it('has no opinion when no usable model holds the job', () => {
    const all = Object.fromEntries(FLEET.tiers.flatMap((t) => t.models.map((m): [string, BreakerState] => [m.id, 'open'])));
    expect(router(job(), withBreakers(all))).toBeUndefined();
    expect(router(job({ inputTokens: 1_000_000 }), snapshot())).toBeUndefined();
  });
});
