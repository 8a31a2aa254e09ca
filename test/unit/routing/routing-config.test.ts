import { describe, expect, it } from 'vitest';
import { checkFleetReferences } from '../../../src/config/check-fleet-references.js';
import { fleetSchema, type FleetConfig } from '../../../src/config/fleet-schema.js';
import { loadSettings } from '../../../src/config/load-settings.js';
import { createCostRouter } from '../../../src/core/routing/cost-router.js';
import type { RoutingFleet } from '../../../src/core/routing/routing-fleet.js';
import { createRulesRouter } from '../../../src/core/routing/rules-router.js';
import { job, snapshot } from './fixtures.js';

const MICRO = 'amazon.nova-micro-v1:0';
const PRO = 'amazon.nova-pro-v1:0';

/** A small fleet file with `routing` extended by `routing`. */
function fleetWith(routing: Record<string, unknown> = {}, model: Record<string, unknown> = {}): unknown {
  return {
    tiers: [
      { name: 'small', models: [{ id: MICRO, price: { inputPer1k: 0.000035, outputPer1k: 0.00014 }, contextWindow: 128000, ...model }] },
      { name: 'large', models: [{ id: PRO, price: { inputPer1k: 0.0008, outputPer1k: 0.0032 }, contextWindow: 300000 }] },
    ],
    routing: { primary: PRO, fallback: MICRO, ...routing },
  };
}

const issues = (raw: unknown) => {
  const parsed = fleetSchema.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('fleet file: routing fields', () => {
  it('leaves the router unset (the routing table) and rules absent by default', () => {
    const fleet = fleetSchema.parse(fleetWith());
    expect(fleet.routing.router).toBeUndefined();
    expect(fleet.routing.rules).toBeUndefined();
  });

  it('reads quality and latencyMs on models, in range', () => {
    const fleet = fleetSchema.parse(fleetWith({}, { quality: 0.4, latencyMs: 350 }));
    expect(fleet.tiers[0]?.models[0]).toMatchObject({ quality: 0.4, latencyMs: 350 });
    expect(issues(fleetWith({}, { quality: 1.2 }))).toEqual([expect.objectContaining({ path: 'tiers.0.models.0.quality' })]);
    expect(issues(fleetWith({}, { latencyMs: 0 }))).toEqual([expect.objectContaining({ path: 'tiers.0.models.0.latencyMs' })]);
  });

  it('reads rules and a router choice', () => {
    const rules = [
      { name: 'code', when: { task: ['coding'], keywords: ['python'], regex: '^def ', maxChars: 5000, hasImage: false }, then: { tier: 'large' } },
      { then: { model: MICRO } },
    ];
    const fleet = fleetSchema.parse(fleetWith({ router: 'rules', rules }));
    expect(fleet.routing.router).toBe('rules');
    expect(fleet.routing.rules?.[1]).toEqual({ when: {}, then: { model: MICRO } });
    expect(checkFleetReferences(fleet)).toEqual([]);
  });

  it('refuses a bad router, rule or condition, with its path', () => {
    expect(issues(fleetWith({ router: 'random' }))).toEqual([expect.objectContaining({ path: 'routing.router' })]);
    expect(issues(fleetWith({ router: 'rules' }))).toEqual([
      { path: 'routing.rules', message: 'the rules router needs at least one rule in "routing.rules"' },
    ]);
    expect(issues(fleetWith({ rules: [{ when: {}, then: {} }] }))).toEqual([
      { path: 'routing.rules.0.then', message: 'expected a tier, a model, or both' },
    ]);
    expect(issues(fleetWith({ rules: [{ when: { regex: '(' }, then: { tier: 'small' } }] }))).toEqual([
      { path: 'routing.rules.0.when.regex', message: 'expected a valid regular expression' },
    ]);
    expect(issues(fleetWith({ rules: [{ when: { minChars: 10, maxChars: 5 }, then: { tier: 'small' } }] }))).toEqual([
      { path: 'routing.rules.0.when.maxChars', message: 'expected minChars ≤ maxChars' },
    ]);
    expect(issues(fleetWith({ rules: [{ when: { keyword: ['x'] }, then: { tier: 'small' } }] }))).toEqual([
      expect.objectContaining({ path: 'routing.rules.0.when' }),
    ]);
  });

  it('checks that rules name tiers and models of the fleet', () => {
    const fleet = fleetSchema.parse(
      fleetWith({
        rules: [
          { then: { tier: 'medium' } },
          { then: { model: 'amazon.nova-lite-v1:0' } },
          { then: { tier: 'large', model: MICRO } },
          { then: { tier: 'small', model: MICRO } },
        ],
      }),
    );
    expect(checkFleetReferences(fleet)).toEqual([
      { path: ['routing', 'rules', 0, 'then', 'tier'], message: 'no tier is named "medium"; expected one of small, large' },
      {
        path: ['routing', 'rules', 1, 'then', 'model'],
        message: `model "amazon.nova-lite-v1:0" is not in any tier; expected one of ${MICRO}, ${PRO}`,
      },
      { path: ['routing', 'rules', 2, 'then', 'model'], message: `model "${MICRO}" is not in tier "large"` },
    ]);
  });

  it('feeds the rules router straight from the file', () => {
    const fleet: FleetConfig = fleetSchema.parse(fleetWith({ rules: [{ name: 'big', when: { minChars: 1000 }, then: { tier: 'large' } }] }));
    const router = createRulesRouter({ rules: fleet.routing.rules ?? [], fleet });
    expect(router(job({ inputChars: 2000 }), snapshot())).toEqual({ tier: 'large', reason: 'rule "big" matched 2000 chars (≥ 1000): tier large' });
  });
});

describe('the shipped default fleet', () => {
  const fleet: RoutingFleet = loadSettings({ env: {} }).fleet;
  const models = fleet.tiers.flatMap((t) => t.models);

  it('rates every model and gives it a typical latency', () => {
    for (const model of models) {
      expect(model.quality, model.id).toBeGreaterThan(0);
      expect(model.quality, model.id).toBeLessThanOrEqual(1);
      expect(model.latencyMs, model.id).toBeGreaterThan(0);
    }
  });

  it('rates each tier\'s best model above the best of the tier below', () => {
    const best = fleet.tiers.map((t) => Math.max(...t.models.map((m) => m.quality ?? 0)));
    expect(best).toEqual([...best].sort((a, b) => a - b));
  });

  it('lets the cost router pick by quality on the real prices', () => {
    const cost = createCostRouter({ fleet });
    expect(cost(job(), snapshot())).toMatchObject({ tier: 'small', model: MICRO });
    expect(cost(job({ minQuality: 0.9 }), snapshot())).toMatchObject({ tier: 'large', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' });
  });
});
