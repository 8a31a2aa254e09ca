import { periodAdjective } from './budget-period.js';
import type { BudgetPeriod } from './budget-settings.js';
import type { SpentBudget } from './remaining-budgets.js';

/** `$0.0123`: four significant digits, trailing zeros dropped. */
export function formatBudgetUsd(usd: number): string {
  return `$${Number(usd.toPrecision(4))}`;
}

/**
 * Whose budget is spent, how much of it: `tenant acme spent $0.0123 of its
 * $0.01 daily budget`, or `the fleet spent $5.01 of its $5 daily budget`.
 */
export function describeSpent(spent: SpentBudget, period: BudgetPeriod): string {
  const who = spent.scope === 'tenant' ? `tenant ${spent.tenant}` : 'the fleet';
  return `${who} spent ${formatBudgetUsd(spent.spentUsd)} of its ${formatBudgetUsd(spent.budgetUsd)} ${periodAdjective(period)} budget`;
}
