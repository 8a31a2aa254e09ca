import type { RemainingBudgets } from '../routing/fleet-snapshot.js';
import { hasBudgets, tenantBudget, type BudgetSettings } from './budget-settings.js';

/** What has been spent in the current period, in USD: the fleet's total and each tenant's. */
export interface PeriodSpend {
  fleetUsd: number;
  byTenantUsd: Readonly<Record<string, number>>;
}

export const NO_SPEND: PeriodSpend = { fleetUsd: 0, byTenantUsd: {} };

/** USD rounded to 1e-8, as prices and costs are, so float noise does not show (and never -0). */
export const roundUsd = (usd: number): number => Math.round(usd * 1e8) / 1e8 + 0;

/**
 * What is left to spend in the period: the fleet's budget less the fleet's
 * spend (when the fleet has a budget), and for each tenant with a budget
 * (its own, or the default for every tenant that has spent anything) its
 * budget less its spend. Tenants that have neither spent nor an own budget
 * are left out: they have their whole budget (`leftFor`). An amount is
 * below zero when jobs already in flight overshot the budget. Undefined
 * when no budget is set. Pure.
 */
export function remainingBudgets(settings: BudgetSettings, spend: PeriodSpend): RemainingBudgets | undefined {
  if (!hasBudgets(settings)) return undefined;
  const byTenantUsd: Record<string, number> = {};
  const tenants = new Set([...Object.keys(settings.tenants), ...(settings.defaultTenantUsd === undefined ? [] : Object.keys(spend.byTenantUsd))]);
  for (const tenant of tenants) {
    const budget = tenantBudget(settings, tenant);
    if (budget !== undefined) byTenantUsd[tenant] = roundUsd(budget - (spend.byTenantUsd[tenant] ?? 0));
  }
  if (settings.fleetUsd === undefined) return { byTenantUsd };
  return { fleetUsd: roundUsd(settings.fleetUsd - spend.fleetUsd), byTenantUsd };
}

/**
 * What a tenant has left, as the snapshot says; its whole budget when the
 * snapshot does not list it (it has not spent anything yet, or no snapshot
 * was read); undefined when it has no budget. Pure.
 */
export function tenantLeft(settings: BudgetSettings, budgets: RemainingBudgets | undefined, tenant: string): number | undefined {
  const budget = tenantBudget(settings, tenant);
  if (budget === undefined) return undefined;
  return budgets?.byTenantUsd?.[tenant] ?? budget;
}

/** The fleet's budget that is spent, or the tenant's, with the amounts. */
export interface SpentBudget {
  /** Whose budget is spent: the job's tenant's (checked first), or the fleet's. */
  scope: 'tenant' | 'fleet';
  tenant: string;
  budgetUsd: number;
  spentUsd: number;
}

/**
 * The budget a job of `tenant` may not spend from any more: the tenant's
 * when it has nothing left, else the fleet's when it has nothing left;
 * undefined while both have money left (or are unlimited). The spend is
 * the budget less what is left. Pure.
 */
export function spentBudget(settings: BudgetSettings, budgets: RemainingBudgets | undefined, tenant: string): SpentBudget | undefined {
  const own = tenantBudget(settings, tenant);
  const left = tenantLeft(settings, budgets, tenant);
  if (own !== undefined && left !== undefined && left <= 0) return { scope: 'tenant', tenant, budgetUsd: own, spentUsd: roundUsd(own - left) };
  const fleet = settings.fleetUsd;
  const fleetLeft = budgets?.fleetUsd ?? fleet;
  if (fleet !== undefined && fleetLeft !== undefined && fleetLeft <= 0) return { scope: 'fleet', tenant, budgetUsd: fleet, spentUsd: roundUsd(fleet - fleetLeft) };
  return undefined;
}
