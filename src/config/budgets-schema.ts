import { z } from 'zod';
import { BUDGET_PERIODS, WHEN_SPENT } from '../core/budgets/budget-settings.js';

/** An amount in USD: zero (nothing may be spent) or more. */
const usd = z.number({ error: 'expected an amount in USD' }).nonnegative({ message: 'expected an amount in USD of 0 or more' });

/** Tenants as jobs and API keys name them, each with an amount; a bad name is reported at its key. */
const tenantBudgets = z.record(z.string(), usd).superRefine((tenants, ctx) => {
  for (const tenant of Object.keys(tenants)) {
    if (!/^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(tenant)) {
      ctx.addIssue({ code: 'custom', path: [tenant], message: 'expected a tenant name of 1-64 letters, digits, "_", "." or "-"' });
    }
  }
});

/**
 * Spend budgets (`budgets` in the fleet file): what the fleet and each
 * tenant may spend per period, and what happens to a job whose tenant (or
 * the fleet) has spent it. Without any amount, nothing is enforced (spend
 * is still counted). See docs/budgets.md.
 */
export const budgetsSchema = z.strictObject({
  /** The period a budget covers: `day`, a UTC calendar day. */
  period: z.enum(BUDGET_PERIODS).default('day'),
  /** What the whole fleet may spend per period. */
  fleetUsd: usd.optional(),
  /** What each named tenant may spend per period. */
  tenants: tenantBudgets.default({}),
  /** What any tenant not listed in `tenants` may spend per period; unlimited when unset. */
  defaultTenantUsd: usd.optional(),
  /** `cheapest`: the job goes to the fleet's cheapest model; `refuse`: it is refused at enqueue. */
  whenSpent: z.enum(WHEN_SPENT).default('cheapest'),
});

export type BudgetsConfig = z.infer<typeof budgetsSchema>;
