import { periodWindow } from './budget-period.js';
import { tenantBudget, type BudgetPeriod, type BudgetSettings, type WhenSpent } from './budget-settings.js';
import { roundUsd, type PeriodSpend } from './remaining-budgets.js';

/** One budget in a period: its amount (null when unlimited), what was spent, and what is left. */
export interface BudgetLine {
  /** null: no budget, spending is not limited. */
  budgetUsd: number | null;
  spentUsd: number;
  /** The budget less the spend, never below 0; null without a budget. */
  leftUsd: number | null;
  /** True when nothing is left: jobs go to the cheapest model, or are refused. */
  spent: boolean;
}

export interface TenantBudgetLine extends BudgetLine {
  tenant: string;
}

/** What GET /v1/budgets answers: the period, the caller's tenant, and for admins the fleet and every tenant. */
export interface BudgetReport {
  period: BudgetPeriod;
  /** ISO times: the period's start, and when it ends and every budget is whole again. */
  periodStart: string;
  resetsAt: string;
  whenSpent: WhenSpent;
  tenant: TenantBudgetLine;
  fleet?: BudgetLine;
  /** Every tenant with an own budget or with spend this period, by name. */
  tenants?: TenantBudgetLine[];
}

function line(budget: number | undefined, spent: number): BudgetLine {
  const spentUsd = roundUsd(spent);
  if (budget === undefined) return { budgetUsd: null, spentUsd, leftUsd: null, spent: false };
  const left = roundUsd(budget - spentUsd);
  return { budgetUsd: budget, spentUsd, leftUsd: Math.max(0, left), spent: left <= 0 };
}

/** A tenant's budget, spend and what is left in the period. Pure. */
export function tenantBudgetLine(settings: BudgetSettings, spend: PeriodSpend, tenant: string): TenantBudgetLine {
  return { tenant, ...line(tenantBudget(settings, tenant), spend.byTenantUsd[tenant] ?? 0) };
}

/** The whole fleet's budgets in the period holding `at` (the dashboard's panel): the fleet's line and every tenant's. */
export type FleetBudgetReport = Omit<BudgetReport, 'tenant'> & Required<Pick<BudgetReport, 'fleet' | 'tenants'>>;

/**
 * The fleet's line and every tenant that has an own budget or spent
 * anything in the period holding `at`, sorted by name. Pure.
 */
export function fleetBudgetReport(input: { settings: BudgetSettings; spend: PeriodSpend; at: number }): FleetBudgetReport {
  const { settings, spend } = input;
  const window = periodWindow(settings.period, input.at);
  const names = [...new Set([...Object.keys(settings.tenants), ...Object.keys(spend.byTenantUsd)])].sort();
  return {
    period: settings.period,
    periodStart: new Date(window.startsAt).toISOString(),
    resetsAt: new Date(window.endsAt).toISOString(),
    whenSpent: settings.whenSpent,
    fleet: line(settings.fleetUsd, spend.fleetUsd),
    tenants: names.map((name) => tenantBudgetLine(settings, spend, name)),
  };
}

/**
 * The budgets report of the period holding `at` for `tenant`; with `all`
 * (admins), also the fleet's line and every tenant's (fleetBudgetReport). Pure.
 */
export function budgetReport(input: { settings: BudgetSettings; spend: PeriodSpend; tenant: string; at: number; all: boolean }): BudgetReport {
  const { fleet, tenants, ...period } = fleetBudgetReport(input);
  const report: BudgetReport = { ...period, tenant: tenantBudgetLine(input.settings, input.spend, input.tenant) };
  return input.all ? { ...report, fleet, tenants } : report;
}
