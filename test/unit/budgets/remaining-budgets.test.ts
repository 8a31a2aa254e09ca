import { describe, expect, it } from 'vitest';
import { periodWindow } from '../../../src/core/budgets/budget-period.js';
import { budgetReport } from '../../../src/core/budgets/budget-report.js';
import { hasBudgets, tenantBudget, type BudgetSettings } from '../../../src/core/budgets/budget-settings.js';
import { formatBudgetUsd } from '../../../src/core/budgets/describe-spent.js';
import { NO_SPEND, remainingBudgets, spentBudget, tenantLeft } from '../../../src/core/budgets/remaining-budgets.js';
import { parseSpend, spendKey } from '../../../src/queue/budgets/spend-store.js';

const settings = (over: Partial<BudgetSettings> = {}): BudgetSettings => ({ period: 'day', tenants: {}, whenSpent: 'cheapest', ...over });

describe('remainingBudgets', () => {
  it('subtracts the period\'s spend from the fleet\'s and each listed tenant\'s budget', () => {
    const left = remainingBudgets(settings({ fleetUsd: 10, tenants: { acme: 1, globex: 2 } }), {
      fleetUsd: 3.25,
      byTenantUsd: { acme: 0.4, initech: 2.85 },
    });
    // globex has spent nothing: its whole budget; initech has no budget: not listed.
    expect(left).toEqual({ fleetUsd: 6.75, byTenantUsd: { acme: 0.6, globex: 2 } });
  });

  it('gives every tenant that spent anything the default budget, unless it has its own', () => {
    const left = remainingBudgets(settings({ tenants: { acme: 5 }, defaultTenantUsd: 0.5 }), {
      fleetUsd: 1.7,
      byTenantUsd: { acme: 1, initech: 0.7 },
    });
    expect(left).toEqual({ byTenantUsd: { acme: 4, initech: -0.2 } });
  });

  it('goes below zero when jobs in flight overshot, without float noise', () => {
    expect(remainingBudgets(settings({ fleetUsd: 0.3 }), { fleetUsd: 0.1 + 0.2 + 0.00000001, byTenantUsd: {} })).toEqual({ fleetUsd: -0.00000001, byTenantUsd: {} });
    expect(remainingBudgets(settings({ fleetUsd: 0.3 }), { fleetUsd: 0.1 + 0.2, byTenantUsd: {} })?.fleetUsd).toBe(0);
  });

  it('is undefined when no budget is set, and whole when nothing was spent', () => {
    expect(remainingBudgets(settings(), { fleetUsd: 4, byTenantUsd: { acme: 4 } })).toBeUndefined();
    expect(hasBudgets(settings())).toBe(false);
    expect(hasBudgets(undefined)).toBe(false);
    expect(hasBudgets(settings({ defaultTenantUsd: 0 }))).toBe(true);
    expect(remainingBudgets(settings({ fleetUsd: 2, defaultTenantUsd: 1 }), NO_SPEND)).toEqual({ fleetUsd: 2, byTenantUsd: {} });
  });
});

describe('tenantLeft and spentBudget', () => {
  const s = settings({ fleetUsd: 10, tenants: { acme: 1 }, defaultTenantUsd: 0.5 });

  it('read a tenant from the snapshot, else its whole budget; none without a budget', () => {
    expect(tenantBudget(s, 'acme')).toBe(1);
    expect(tenantBudget(s, 'initech')).toBe(0.5);
    expect(tenantBudget(settings({ tenants: { acme: 1 } }), 'initech')).toBeUndefined();
    // A tenant named like an Object.prototype property has no budget of its own.
    expect(tenantBudget(settings({ tenants: { acme: 1 } }), 'constructor')).toBeUndefined();
    expect(tenantLeft(s, { byTenantUsd: { acme: 0.25 } }, 'acme')).toBe(0.25);
    expect(tenantLeft(s, { byTenantUsd: {} }, 'initech')).toBe(0.5);
    expect(tenantLeft(s, undefined, 'acme')).toBe(1);
    expect(tenantLeft(settings({ fleetUsd: 1 }), { byTenantUsd: {} }, 'acme')).toBeUndefined();
  });

  it('name the tenant\'s budget first, then the fleet\'s, with spend = budget − left', () => {
    expect(spentBudget(s, { fleetUsd: 3, byTenantUsd: { acme: 0.25 } }, 'acme')).toBeUndefined();
    expect(spentBudget(s, { fleetUsd: 3, byTenantUsd: { acme: -0.0023 } }, 'acme')).toEqual({ scope: 'tenant', tenant: 'acme', budgetUsd: 1, spentUsd: 1.0023 });
    expect(spentBudget(s, { fleetUsd: 3, byTenantUsd: { acme: 0 } }, 'acme')).toMatchObject({ scope: 'tenant', spentUsd: 1 });
    expect(spentBudget(s, { fleetUsd: -1, byTenantUsd: { acme: -1 } }, 'acme')).toMatchObject({ scope: 'tenant' });
    expect(spentBudget(s, { fleetUsd: -1, byTenantUsd: { acme: 0.5 } }, 'acme')).toEqual({ scope: 'fleet', tenant: 'acme', budgetUsd: 10, spentUsd: 11 });
    // No snapshot read yet: every budget is whole, unless it is 0.
    expect(spentBudget(s, undefined, 'acme')).toBeUndefined();
    expect(spentBudget(settings({ fleetUsd: 0 }), undefined, 'acme')).toMatchObject({ scope: 'fleet', spentUsd: 0 });
  });
});

describe('periods, amounts and the budgets report', () => {
  it('cut days at UTC midnight', () => {
    expect(periodWindow('day', Date.UTC(2025, 5, 1, 23, 59, 59, 999))).toEqual({
      label: 'day:2025-06-01',
      startsAt: Date.UTC(2025, 5, 1),
      endsAt: Date.UTC(2025, 5, 2),
    });
    expect(periodWindow('day', Date.UTC(2025, 5, 2)).label).toBe('day:2025-06-02');
    expect(spendKey('prod', 'day', Date.UTC(2025, 11, 31, 8))).toBe('{prod}:spend:day:2025-12-31');
  });

  it('format amounts with four significant digits', () => {
    expect(formatBudgetUsd(0.01)).toBe('$0.01');
    expect(formatBudgetUsd(0.012345678)).toBe('$0.01235');
    expect(formatBudgetUsd(12.5)).toBe('$12.5');
  });

  it('parse a spend hash, ignoring what is not a number', () => {
    expect(parseSpend({ fleet: '0.30000000000000004', 'tenant:acme': '0.1', 'tenant:globex': '0.2', 'tenant:bad': 'x', other: '9' })).toEqual({
      fleetUsd: 0.3,
      byTenantUsd: { acme: 0.1, globex: 0.2, bad: 0 },
    });
    expect(parseSpend({})).toEqual({ fleetUsd: 0, byTenantUsd: {} });
  });

  it('report the caller\'s budget, and for admins the fleet\'s and every tenant\'s', () => {
    const s = settings({ fleetUsd: 10, tenants: { acme: 1, zeta: 3 }, defaultTenantUsd: 0.5, whenSpent: 'refuse' });
    const spend = { fleetUsd: 1.5, byTenantUsd: { acme: 1.2, initech: 0.3 } };
    const at = Date.UTC(2025, 5, 1, 9);
    const own = budgetReport({ settings: s, spend, tenant: 'acme', at, all: false });
    expect(own).toEqual({
      period: 'day',
      periodStart: '2025-06-01T00:00:00.000Z',
      resetsAt: '2025-06-02T00:00:00.000Z',
      whenSpent: 'refuse',
      tenant: { tenant: 'acme', budgetUsd: 1, spentUsd: 1.2, leftUsd: 0, spent: true },
    });
    const all = budgetReport({ settings: s, spend, tenant: 'ops', at, all: true });
    expect(all.tenant).toEqual({ tenant: 'ops', budgetUsd: 0.5, spentUsd: 0, leftUsd: 0.5, spent: false });
    expect(all.fleet).toEqual({ budgetUsd: 10, spentUsd: 1.5, leftUsd: 8.5, spent: false });
    expect(all.tenants?.map((t) => [t.tenant, t.leftUsd])).toEqual([
      ['acme', 0],
      ['initech', 0.2],
      ['zeta', 3],
    ]);
    const unlimited = budgetReport({ settings: settings(), spend, tenant: 'acme', at, all: true });
    expect(unlimited.tenant).toEqual({ tenant: 'acme', budgetUsd: null, spentUsd: 1.2, leftUsd: null, spent: false });
    expect(unlimited.fleet).toEqual({ budgetUsd: null, spentUsd: 1.5, leftUsd: null, spent: false });
  });
});
