import { describe, expect, it } from 'vitest';
import type { FleetConfig, RoutingConfig } from '../../../src/config/fleet-schema.js';
import { loadSettings } from '../../../src/config/load-settings.js';
import type { JobSpecInput } from '../../../src/core/job/job-spec.js';
import { parseJobSpec } from '../../../src/core/job/parse-job-spec.js';
import { renderRequest } from '../../../src/core/job/render-request.js';
import { buildRouter, routerReadsSnapshot, type BuildRouterOptions } from '../../../src/core/routing/build-router.js';
import type { FleetSnapshot } from '../../../src/core/routing/fleet-snapshot.js';
import { toRoutableJob } from '../../../src/core/routing/routable-job.js';
import { routeJob } from '../../../src/core/routing/route-job.js';
import type { Router } from '../../../src/core/routing/router.js';
import { snapshot } from './fixtures.js';

const base: FleetConfig = loadSettings({ env: {} }).fleet;

const MICRO = 'amazon.nova-micro-v1:0';
const HAIKU_45 = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const CLAUDE_3_HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const MIXTRAL = 'mistral.mixtral-8x7b-instruct-v0:1';
const NOVA_PRO = 'amazon.nova-pro-v1:0';

const withRouting = (routing: Partial<RoutingConfig>): FleetConfig => ({ ...base, routing: { ...base.routing, ...routing } });

/** Routes a job as the producer does, with a snapshot (nothing known by default). */
function route(fleet: FleetConfig, job: Omit<JobSpecInput, 'prompt'> & { prompt?: string }, known: FleetSnapshot = snapshot(), options: BuildRouterOptions = {}) {
  const spec = parseJobSpec({ prompt: 'What is 2 + 2?', ...job }, fleet);
  return buildRouter(fleet, options)(spec, { job: () => toRoutableJob(spec, renderRequest(spec, fleet)), snapshot: () => known });
}

describe('buildRouter: fleets without a router', () => {
  it('route exactly as routeJob does, reading neither the job content nor the snapshot', () => {
    const router = buildRouter(base);
    const untouchable = {
      job: () => {
        throw new Error('the table does not read the job');
      },
      snapshot: () => {
        throw new Error('the table does not read the snapshot');
      },
    };
    const jobs: Omit<JobSpecInput, 'prompt'>[] = [
      {},
      { task: 'summarization' },
      { tier: 'medium' },
      { model: SONNET },
      { strategy: 'cascade' },
      { strategy: 'cascade', tier: 'medium' },
    ];
    for (const job of jobs) {
      const spec = parseJobSpec({ prompt: 'hi', ...job }, base);
      expect(router(spec, untouchable)).toEqual(routeJob(spec, base));
    }
  });

  it('say which routers read the snapshot', () => {
    expect(routerReadsSnapshot({})).toBe(false);
    expect(routerReadsSnapshot({ router: 'rules' })).toBe(false);
    expect(routerReadsSnapshot({ router: 'classifier' })).toBe(false);
    expect(routerReadsSnapshot({ router: 'cost' })).toBe(true);
    expect(routerReadsSnapshot({ router: 'custom' })).toBe(true);
    expect(routerReadsSnapshot({ router: 'rules', modelRouter: 'latency' })).toBe(true);
  });
});

describe('buildRouter: an explicit choice on the job always wins', () => {
  const cost = withRouting({ router: 'cost', modelRouter: 'latency' });

  it('an explicit model goes to its tier whatever the routers think', () => {
    expect(route(cost, { model: SONNET })).toEqual({
      tier: 'large',
      model: SONNET,
      path: ['large'],
      reason: `the job asked for model ${SONNET} (tier large)`,
    });
  });

  it('an explicit tier stands; the model router only picks within it', () => {
    const decision = route(cost, { tier: 'large' });
    expect(decision).toMatchObject({ tier: 'large', model: MIXTRAL, path: ['large'] });
    expect(decision.reason).toMatch(/^the job asked for tier large; within tier large, latency router: fastest model \(no latency bound\): mistral/);
  });

  it('without a model router, the tier router picks the model within an explicit tier', () => {
    const decision = route(withRouting({ router: 'cost' }), { tier: 'medium', metadata: { minQuality: 0.75 } });
    expect(decision).toMatchObject({ tier: 'medium', model: HAIKU_45 });
    expect(decision.reason).toMatch(/^the job asked for tier medium; within tier medium, cost router: cheapest model rated ≥ 0.75/);
  });

  it('a cascade starts at its entry tier with its path; only the model router picks the model', () => {
    const spec = parseJobSpec({ prompt: 'hi', strategy: 'cascade' }, base);
    expect(route(withRouting({ router: 'cost' }), { strategy: 'cascade' })).toEqual(routeJob(spec, base));
    const layered = route(cost, { strategy: 'cascade' });
    expect(layered).toMatchObject({ tier: 'small', path: ['small', 'medium', 'large'], model: MICRO });
    expect(layered.reason).toContain('within tier small, latency router:');
  });
});

describe('buildRouter: the configured tier router, then the table', () => {
  const rules = withRouting({
    router: 'rules',
    rules: [
      { name: 'code', when: { keywords: ['python', 'typescript'] }, then: { tier: 'large' } },
      { name: 'legal', when: { task: 'legal' }, then: { model: CLAUDE_3_HAIKU } },
    ],
  });

  it('rules: the first matching rule, its name and what matched in the reason', () => {
    expect(route(rules, { prompt: 'Write a Python function that sorts a list.' })).toEqual({
      tier: 'large',
      path: ['large'],
      reason: 'rules router: rule "code" matched keyword "python": tier large',
    });
    expect(route(rules, { task: 'legal' })).toMatchObject({ tier: 'medium', model: CLAUDE_3_HAIKU });
  });

  it('rules: no rule matches, so the routing table decides and the reason says so', () => {
    const decision = route(rules, { task: 'summarization' });
    expect(decision).toMatchObject({ tier: 'medium', model: HAIKU_45, path: ['medium'] });
    expect(decision.reason).toBe(`rules router: no routing rule matched; task "summarization" routes to fallback (${HAIKU_45}) on tier medium`);
  });

  it('cost: the cheapest model meeting the job\'s minQuality, skipping open breakers', () => {
    const cost = withRouting({ router: 'cost' });
    expect(route(cost, {})).toMatchObject({ tier: 'small', model: MICRO });
    expect(route(cost, { metadata: { minQuality: 0.75 } })).toMatchObject({ tier: 'medium', model: HAIKU_45 });
    const open = route(cost, { metadata: { minQuality: 0.75 } }, snapshot({ breakers: { [HAIKU_45]: 'open' } }));
    expect(open).toMatchObject({ tier: 'large', model: SONNET });
    expect(open.reason).toMatch(/^cost router: cheapest model rated ≥ 0.75: .*skipped cheaper us\.anthropic\.claude-haiku-4-5.* \(breaker open\)/);
  });

  it('latency: the fastest model within the job\'s bound, measured p50s over configured figures', () => {
    const latency = withRouting({ router: 'latency' });
    expect(route(latency, {})).toMatchObject({ tier: 'small', model: MICRO });
    const measured = snapshot({ stats: { [MICRO]: { samples: 50, successRate: 1, p50LatencyMs: 2_000 } } });
    const decision = route(latency, {}, measured);
    expect(decision.model).not.toBe(MICRO);
    expect(decision.reason).toMatch(/^latency router: fastest model/);
  });

  it('a router with no opinion hands over to the routing table, and the reason says so', () => {
    const none: Router = () => undefined;
    const decision = route(withRouting({ router: 'custom', custom: { module: './x.mjs' } }), { task: 'coding' }, snapshot(), { custom: none });
    expect(decision).toMatchObject({ tier: 'large', model: SONNET });
    expect(decision.reason).toBe(`custom router had no opinion; task "coding" routes to primary (${SONNET}) on tier large`);
  });

  it('custom: the loaded function decides, named in the reason; it must be loaded first', () => {
    const custom: Router = (job) => (job.tenant === 'vip' ? { tier: 'large', model: NOVA_PRO, reason: 'vip tenant' } : undefined);
    const fleet = withRouting({ router: 'custom', custom: { module: './x.mjs' } });
    expect(route(fleet, { tenant: 'vip' }, snapshot(), { custom })).toEqual({ tier: 'large', model: NOVA_PRO, path: ['large'], reason: 'custom router: vip tenant' });
    expect(() => buildRouter(fleet)).toThrow(/routing\.router is "custom" but no custom router was loaded/);
  });

  it('classifier: sends the job to the cheapest tier to be labelled, unless it asked for a tier', () => {
    const fleet = withRouting({ router: 'classifier', classifier: { labels: ['billing', 'coding'], maxInputChars: 4000, maxTokens: 16 } });
    expect(route(fleet, {})).toEqual({
      tier: 'small',
      path: ['small'],
      reason: 'classifier router: tier small labels the task (billing, coding), then the rules route it',
      classify: true,
    });
    expect(route(fleet, { tier: 'medium' })).toEqual({ tier: 'medium', path: ['medium'], reason: 'the job asked for tier medium' });
  });
});

describe('buildRouter: layering a model router under the tier router', () => {
  it('the tier router picks the tier, the model router the model in it; the reason tells both', () => {
    const fleet = withRouting({
      router: 'rules',
      rules: [{ name: 'code', when: { keywords: ['python'] }, then: { tier: 'large' } }],
      modelRouter: 'latency',
    });
    const decision = route(fleet, { prompt: 'Some python, please.' });
    expect(decision).toMatchObject({ tier: 'large', model: MIXTRAL, path: ['large'] });
    expect(decision.reason).toBe(
      'rules router: rule "code" matched keyword "python": tier large; within tier large, latency router: ' +
        `fastest model (no latency bound): ${MIXTRAL} on tier large, configured 1200 ms (not yet measured)`,
    );
  });

  it('the model router picks within the table\'s tier, overriding the table\'s model', () => {
    const decision = route(withRouting({ modelRouter: 'cost' }), { task: 'coding' });
    expect(decision).toMatchObject({ tier: 'large', model: MIXTRAL });
    expect(decision.reason).toMatch(/^task "coding" routes to primary .* on tier large; within tier large, cost router: cheapest model/);
  });

  it('a model router with no opinion keeps the first layer\'s model and says so', () => {
    const fleet = withRouting({ router: 'cost', modelRouter: 'custom', custom: { module: './x.mjs' } });
    const decision = route(fleet, {}, snapshot(), { custom: () => undefined });
    expect(decision).toMatchObject({ tier: 'small', model: MICRO });
    expect(decision.reason).toMatch(/; within tier small, the custom router had no opinion, so amazon\.nova-micro-v1:0$/);
  });

  it('a model router answering for another tier is ignored', () => {
    const elsewhere: Router = () => ({ tier: 'large', model: SONNET, reason: 'always sonnet' });
    const fleet = withRouting({ router: 'rules', rules: [{ when: {}, then: { tier: 'medium' } }], modelRouter: 'custom', custom: { module: './x.mjs' } });
    const decision = route(fleet, {}, snapshot(), { custom: elsewhere });
    expect(decision.tier).toBe('medium');
    expect(decision.model).toBeUndefined();
    expect(decision.reason).toContain("the custom router had no opinion, so the tier's own model order");
  });

  it('adaptive as the model router explores the tier\'s unmeasured models with the given randomness', () => {
    const fleet = withRouting({ router: 'rules', rules: [{ when: {}, then: { tier: 'medium' } }], modelRouter: 'adaptive' });
    const decision = route(fleet, {}, snapshot(), { random: () => 0 });
    expect(decision).toMatchObject({ tier: 'medium', model: HAIKU_45 });
    expect(decision.reason).toContain('within tier medium, adaptive router: exploring');
  });
});
