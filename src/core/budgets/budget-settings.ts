/** Periods a budget may cover; `day` is a UTC calendar day. */
export const BUDGET_PERIODS = ['day'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** What happens to a job whose tenant (or the fleet) has no budget left. */
export const WHEN_SPENT = ['cheapest', 'refuse'] as const;
export type WhenSpent = (typeof WHEN_SPENT)[number];

/** The fleet file's `budgets`, as the core reads them (the config layer's BudgetsConfig satisfies it). */
export interface BudgetSettings {
  period: BudgetPeriod;
  /** What the whole fleet may spend per period, in USD. */
  fleetUsd?: number | undefined;
  /** What each named tenant may spend per period, in USD. */
  tenants: Readonly<Record<string, number>>;
  /** What any other tenant may spend per period; unlimited when unset. */
  defaultTenantUsd?: number | undefined;
  whenSpent: WhenSpent;
}

/** Whether any budget is set (the fleet's, a tenant's, or the default), so that there is anything to enforce. */
export function hasBudgets(settings: BudgetSettings | undefined): settings is BudgetSettings {
  return settings !== undefined && (settings.fleetUsd !== undefined || settings.defaultTenantUsd !== undefined || Object.keys(settings.tenants).length > 0);
}

/** A tenant's budget per period: its own, else the default; undefined when it has none. */
export function tenantBudget(settings: BudgetSettings, tenant: string): number | undefined {
  return Object.hasOwn(settings.tenants, tenant) ? settings.tenants[tenant] : settings.defaultTenantUsd;
}
