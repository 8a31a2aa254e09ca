import { describe, expect, it } from 'vitest';
import { budgetsSchema } from '../../../src/config/budgets-schema.js';
import { fleetSchema } from '../../../src/config/fleet-schema.js';
import { loadSettings } from '../../../src/config/load-settings.js';

/** Each issue as `path: message`. */
function problems(input: unknown): string[] {
  const parsed = budgetsSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('the fleet file\'s budgets', () => {
  it('default to a day, no amounts, and the cheapest model when spent; existing fleets still parse', () => {
    expect(budgetsSchema.parse({})).toEqual({ period: 'day', tenants: {}, whenSpent: 'cheapest' });
    expect(loadSettings({ env: {} }).fleet.budgets).toEqual({ period: 'day', tenants: {}, whenSpent: 'cheapest' });
  });

  it('take a fleet budget, tenant budgets, a default, and refuse', () => {
    const input = { period: 'day', fleetUsd: 25, tenants: { acme: 5, 'globex.eu': 0 }, defaultTenantUsd: 1, whenSpent: 'refuse' };
    expect(budgetsSchema.parse(input)).toEqual(input);
  });

  it('refuse other periods, negative or non-numeric amounts, bad tenant names, unknown keys and whenSpent values', () => {
    expect(problems({ period: 'week' })).toEqual([expect.stringMatching(/^period: .*"day"/)]);
    expect(problems({ fleetUsd: -1 })).toEqual(['fleetUsd: expected an amount in USD of 0 or more']);
    expect(problems({ defaultTenantUsd: '5' })).toEqual(['defaultTenantUsd: expected an amount in USD']);
    expect(problems({ tenants: { acme: -0.5 } })).toEqual(['tenants.acme: expected an amount in USD of 0 or more']);
    expect(problems({ tenants: { 'bad tenant!': 1 } })).toEqual([expect.stringMatching(/^tenants\.bad tenant!: .*tenant name/)]);
    expect(problems({ whenSpent: 'block' })).toEqual([expect.stringMatching(/^whenSpent: .*"cheapest".*"refuse"/)]);
    expect(problems({ dailyUsd: 5 })).toEqual([expect.stringMatching(/dailyUsd/)]);
  });

  it('are checked as part of the fleet file', () => {
    const fleet = loadSettings({ env: {} }).fleet;
    const parsed = fleetSchema.safeParse({ name: 'x', tiers: fleet.tiers, routing: fleet.routing, budgets: { fleetUsd: -2 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['budgets.fleetUsd']);
  });
});
