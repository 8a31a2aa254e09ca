import { describe, expect, it } from 'vitest';
import type { FleetConfig } from '../../../src/config/fleet-schema.js';
import { loadSettings } from '../../../src/config/load-settings.js';
import { BudgetExceededError } from '../../../src/core/budgets/budget-exceeded-error.js';
import { cheapestModel, withBudgets } from '../../../src/core/budgets/budget-router.js';
import type { BudgetSettings } from '../../../src/core/budgets/budget-settings.js';
import type { JobSpecInput } from '../../../src/core/job/job-spec.js';
import { JobSpecError } from '../../../src/core/job/job-spec-error.js';
import { parseJobSpec } from '../../../src/core/job/parse-job-spec.js';
import { renderRequest } from '../../../src/core/job/render-request.js';
import { buildRouter, type FleetRouter } from '../../../src/core/routing/build-router.js';
import type { FleetSnapshot } from '../../../src/core/routing/fleet-snapshot.js';
import { toRoutableJob } from '../../../src/core/routing/routable-job.js';
import { snapshot } from '../routing/fixtures.js';

const base: FleetConfig = loadSettings({ env: {} }).fleet;
const costRouted: FleetConfig = { ...base, routing: { ...base.routing, router: 'cost' } };

const MICRO = 'amazon.nova-micro-v1:0';
const MISTRAL_7B = 'mistral.mistral-7b-instruct-v0:2';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU_45 = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

/** 2025-06-01 12:00 UTC. */
const NOON = Date.UTC(2025, 5, 1, 12);

const budgets = (over: Partial<BudgetSettings> = {}): BudgetSettings => ({
  period: 'day',
  tenants: { acme: 0.01, globex: 1 },
  whenSpent: 'cheapest',
  ...over,
});

/** acme has spent $0.0123 of its $0.01 (left −0.0023); globex has money left. */
const acmeSpent = snapshot({ budgets: { byTenantUsd: { acme: -0.0023, globex: 0.5 } } });

function route(router: FleetRouter, job: Omit<JobSpecInput, 'prompt'> & { prompt?: string }, known: FleetSnapshot, fleet = base) {
  const spec = parseJobSpec({ prompt: 'What is 2 + 2?', ...job }, fleet);
  return router(spec, { job: () => toRoutableJob(spec, renderRequest(spec, fleet)), snapshot: () => known });
}

describe('withBudgets: a spent budget under whenSpent "cheapest"', () => {
  const router = withBudgets(buildRouter(base), { fleet: base, settings: budgets(), now: () => NOON });

  it('sends the job to the fleet\'s cheapest model, over the routing table, and says why', () => {
    const decision = route(router, { tenant: 'acme' }, acmeSpent);
    expect(decision).toMatchObject({ tier: 'small', model: MICRO, path: ['small'] });
    expect(decision.reason).toMatch(/^tenant acme spent \$0\.0123 of its \$0\.01 daily budget: cheapest model amazon\.nova-micro-v1:0 on tier small \(est\. \$/);
    expect(decision.classify).toBeUndefined();
  });

  it('overrides a configured router (cost, here) too', () => {
    const cost = withBudgets(buildRouter(costRouted), { fleet: costRouted, settings: budgets() });
    const decision = route(cost, { tenant: 'acme', metadata: { minQuality: 0.9 } }, acmeSpent, costRouted);
    expect(decision).toMatchObject({ tier: 'small', model: MICRO, path: ['small'] });
    // With money left, the cost router honours the job's minimum quality.
    expect(route(cost, { tenant: 'globex', metadata: { minQuality: 0.9 } }, acmeSpent, costRouted).tier).toBe('large');
  });

  it('leaves other tenants, and tenants without a budget, to the routers', () => {
    const plain = buildRouter(base);
    for (const tenant of ['globex', 'initech']) {
      expect(route(router, { tenant }, acmeSpent)).toEqual(route(plain, { tenant }, acmeSpent));
    }
    expect(route(router, { tenant: 'globex' }, acmeSpent)).toMatchObject({ tier: 'large', model: SONNET });
  });

  it('starts a cascade on the cheapest model\'s tier and keeps it there (a path of one tier)', () => {
    const decision = route(router, { tenant: 'acme', strategy: 'cascade' }, acmeSpent);
    expect(decision).toMatchObject({ tier: 'small', model: MICRO, path: ['small'] });
    expect(decision.reason).toMatch(/; the cascade stays on tier small$/);
    // Unspent, the same cascade may climb every tier.
    expect(route(router, { tenant: 'globex', strategy: 'cascade' }, acmeSpent).path).toEqual(['small', 'medium', 'large']);
  });

  it('lets an explicit model or tier win, but a cascade from it no longer climbs', () => {
    const model = route(router, { tenant: 'acme', model: SONNET }, acmeSpent);
    expect(model).toMatchObject({ tier: 'large', model: SONNET, path: ['large'] });
    expect(model.reason).toBe(`the job asked for model ${SONNET} (tier large); tenant acme spent $0.0123 of its $0.01 daily budget, but the job's own model ${SONNET} wins`);

    const tier = route(router, { tenant: 'acme', tier: 'medium', strategy: 'cascade' }, acmeSpent);
    expect(tier).toMatchObject({ tier: 'medium', path: ['medium'] });
    expect(tier.model).toBeUndefined();
    expect(tier.reason).toBe(
      "the job asked for tier medium; tenant acme spent $0.0123 of its $0.01 daily budget, but the job's own tier medium wins; the cascade stays on tier medium",
    );
  });

  it('sends a job placed by an A/B variant (not by the job) to the cheapest model, and says over what', () => {
    const spec = parseJobSpec({ prompt: 'What is 2 + 2?', tenant: 'acme', model: SONNET, strategy: 'cascade' }, base);
    const inputs = { job: () => toRoutableJob(spec, renderRequest(spec, base)), snapshot: () => acmeSpent };
    const decision = router(spec, { ...inputs, placedBy: 'experiment' });
    expect(decision).toMatchObject({ tier: 'small', model: MICRO, path: ['small'] });
    expect(decision.reason).toMatch(new RegExp(`, over the experiment variant's model ${SONNET.replace(/[.]/g, '\\.')}; the cascade stays on tier small$`));
    // The same fields set by the job itself win.
    expect(router(spec, { ...inputs, placedBy: 'job' })).toMatchObject({ tier: 'large', model: SONNET });
  });

  it('skips a cheapest model whose breaker is open', () => {
    const decision = route(router, { tenant: 'acme' }, { ...acmeSpent, breakers: { [MICRO]: 'open' } });
    expect(decision).toMatchObject({ tier: 'small', model: MISTRAL_7B, path: ['small'] });
  });

  it('applies the fleet\'s budget to every tenant when it is spent', () => {
    const fleetOnly = withBudgets(buildRouter(base), { fleet: base, settings: budgets({ tenants: {}, fleetUsd: 5 }) });
    const spent = snapshot({ budgets: { fleetUsd: 0, byTenantUsd: {} } });
    const decision = route(fleetOnly, { tenant: 'initech' }, spent);
    expect(decision).toMatchObject({ tier: 'small', model: MICRO });
    expect(decision.reason).toMatch(/^the fleet spent \$5 of its \$5 daily budget: cheapest model/);
    expect(route(fleetOnly, { tenant: 'initech' }, snapshot({ budgets: { fleetUsd: 0.01 } })).model).toBe(SONNET);
  });

  it('counts a tenant with a budget of 0 as spent before it spends anything', () => {
    const none = withBudgets(buildRouter(base), { fleet: base, settings: budgets({ tenants: {}, defaultTenantUsd: 0 }) });
    expect(route(none, { tenant: 'newcomer' }, snapshot()).model).toBe(MICRO);
  });

  it('returns the router itself when no budget is set', () => {
    const plain = buildRouter(base);
    expect(withBudgets(plain, { fleet: base, settings: budgets({ tenants: {} }) })).toBe(plain);
    expect(withBudgets(plain, { fleet: base, settings: undefined })).toBe(plain);
  });
});

describe('withBudgets: a spent budget under whenSpent "refuse"', () => {
  const router = withBudgets(buildRouter(base), { fleet: base, settings: budgets({ whenSpent: 'refuse' }), now: () => NOON });

  it('throws a BudgetExceededError (a JobSpecError) naming the tenant, the spend and the budget', () => {
    let thrown: unknown;
    try {
      route(router, { tenant: 'acme' }, acmeSpent);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BudgetExceededError);
    expect(thrown).toBeInstanceOf(JobSpecError);
    const error = thrown as BudgetExceededError;
    expect(error.message).toBe(
      'job refused: tenant acme spent $0.0123 of its $0.01 daily budget; budgets.whenSpent is "refuse", so jobs of tenant acme are refused until 2025-06-02T00:00:00.000Z',
    );
    expect(error.problems).toEqual([{ field: 'tenant', message: expect.stringMatching(/^tenant acme spent \$0\.0123 of its \$0\.01 daily budget;/) as unknown }]);
    expect(error.spent).toEqual({ scope: 'tenant', tenant: 'acme', budgetUsd: 0.01, spentUsd: 0.0123 });
    expect(error.resetsAt).toBe(Date.UTC(2025, 5, 2));
  });

  it('refuses even a job that names its model', () => {
    expect(() => route(router, { tenant: 'acme', model: SONNET }, acmeSpent)).toThrow(BudgetExceededError);
  });

  it('lets other tenants through untouched', () => {
    expect(route(router, { tenant: 'globex', task: 'summarization' }, acmeSpent)).toMatchObject({ tier: 'medium', model: HAIKU_45 });
  });

  it('names the tenant when the fleet\'s budget is the spent one', () => {
    const fleetOnly = withBudgets(buildRouter(base), { fleet: base, settings: budgets({ tenants: {}, fleetUsd: 2, whenSpent: 'refuse' }), now: () => NOON });
    expect(() => route(fleetOnly, { tenant: 'initech' }, snapshot({ budgets: { fleetUsd: -0.5 } }))).toThrow(
      'job refused: the fleet spent $2.5 of its $2 daily budget; budgets.whenSpent is "refuse", so jobs of tenant initech are refused until 2025-06-02T00:00:00.000Z',
    );
  });
});

describe('cheapestModel', () => {
  it('picks by price across tiers, holding the job in its window, whatever tier the job is on', () => {
    const spec = parseJobSpec({ prompt: 'hi', tier: 'large' }, base);
    const job = toRoutableJob(spec, renderRequest(spec, base));
    expect(cheapestModel(base, job, snapshot())).toMatchObject({ tier: 'small', model: { id: MICRO } });
    // Every model of the fleet open: still the cheapest.
    const allOpen = Object.fromEntries(base.tiers.flatMap((t) => t.models.map((m) => [m.id, 'open' as const])));
    expect(cheapestModel(base, job, snapshot({ breakers: allOpen }))?.model.id).toBe(MICRO);
    // Too large for every window: none.
    expect(cheapestModel(base, { ...job, inputTokens: 10_000_000 }, snapshot())).toBeUndefined();
  });
});
