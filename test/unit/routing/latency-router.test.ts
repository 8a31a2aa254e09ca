import { describe, expect, it } from 'vitest';
import type { ModelStatsEntry } from '../../../src/core/routing/fleet-snapshot.js';
import { createLatencyRouter } from '../../../src/core/routing/latency-router.js';
import { FLEET, job, snapshot } from './fixtures.js';

const router = createLatencyRouter({ fleet: FLEET, minSamples: 20 });
const measured = (stats: Record<string, ModelStatsEntry>) => snapshot({ stats });
const p50 = (ms: number, samples = 50) => ({ samples, successRate: 1, p50LatencyMs: ms });

describe('createLatencyRouter', () => {
  it('takes the fastest model by configured figures until measurements exist', () => {
    expect(router(job(), snapshot())).toEqual({
      tier: 'small',
      model: 'small.alt',
      reason: 'fastest model (no latency bound): small.alt on tier small, configured 250 ms (not yet measured)',
    });
  });

  it('uses a measured p50 once a model has enough calls, and says so', () => {
    const choice = router(job(), measured({ 'small.alt': p50(600), 'small.cheap': p50(280) }));
    expect(choice).toEqual({
      tier: 'small',
      model: 'small.cheap',
      reason: 'fastest model (no latency bound): small.cheap on tier small, measured p50 280 ms over 50 calls',
    });
  });

  it('keeps the configured figure while a model has too few calls', () => {
    const choice = router(job(), measured({ 'small.alt': p50(900, 5) }));
    expect(choice).toMatchObject({ model: 'small.alt' });
    expect(choice?.reason).toContain('configured 250 ms (only 5 measured calls, under 20)');
  });

  it('prefers the job\'s own task figures to the model\'s overall ones', () => {
    const stats = {
      'small.alt': { ...p50(200), byTask: { summarization: p50(1_500, 30) } },
      'small.cheap': { ...p50(300), byTask: { summarization: p50(400, 30) } },
    };
    const choice = router(job({ task: 'summarization' }), measured(stats));
    expect(choice?.model).toBe('small.cheap');
    expect(choice?.reason).toContain('measured p50 400 ms over 30 "summarization" calls');
    expect(router(job({ task: 'qa' }), measured(stats))?.model).toBe('small.alt');
  });

  it('names the bound it met', () => {
    expect(router(job({ maxLatencyMs: 1_000 }), snapshot())?.reason).toMatch(/^fastest model within 1000 ms: small.alt/);
  });

  it('still picks the fastest when none is within the bound, and says so', () => {
    const slow = measured(Object.fromEntries(FLEET.tiers.flatMap((t) => t.models.map((m) => [m.id, p50(5_000)]))));
    const choice = router(job({ maxLatencyMs: 1_000 }), { ...slow, stats: { ...slow.stats, 'medium.a': p50(3_000) } });
    expect(choice).toMatchObject({ tier: 'medium', model: 'medium.a' });
    expect(choice?.reason).toMatch(/^no usable model is within 1000 ms; the fastest is medium.a/);
  });

  it('uses the default bound for jobs that set none', () => {
    const bounded = createLatencyRouter({ fleet: FLEET, defaultMaxLatencyMs: 100 });
    expect(bounded(job(), snapshot())?.reason).toMatch(/^no usable model is within 100 ms/);
  });

  it('takes the cheapest among equally fast models', () => {
    const choice = router(job(), measured({ 'small.alt': p50(250), 'small.cheap': p50(250) }));
    expect(choice?.model).toBe('small.cheap');
    expect(choice?.reason).toContain('cheapest of 2 as fast');
  });

  it('counts models within tieWithinMs of the fastest as tied, but never past the bound', () => {
    const near = createLatencyRouter({ fleet: FLEET, tieWithinMs: 100 });
    expect(near(job(), snapshot())?.model).toBe('small.cheap');
    expect(near(job({ maxLatencyMs: 260 }), snapshot())?.model).toBe('small.alt');
  });

  it('skips open breakers and models whose window is too small', () => {
    expect(router(job(), snapshot({ breakers: { 'small.alt': 'open' } }))?.model).toBe('small.cheap');
    expect(router(job({ inputTokens: 40_000 }), snapshot())).toMatchObject({ tier: 'medium', model: 'medium.b' });
  });

  it('picks within the job\'s tier when it has one', () => {
    expect(router(job({ tier: 'large' }), snapshot())).toMatchObject({ tier: 'large', model: 'large.a' });
  });

  it('has no opinion when no usable model has a latency figure', () => {
    const fleet = { tiers: [{ name: 'a', models: [{ id: 'x', price: { inputPer1k: 0, outputPer1k: 0 }, contextWindow: 100_000 }] }] };
    const unknown = createLatencyRouter({ fleet });
    expect(unknown(job(), snapshot())).toBeUndefined();
    expect(unknown(job(), measured({ x: p50(700) }))?.model).toBe('x');
  });
});
