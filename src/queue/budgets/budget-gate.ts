import type { Redis } from 'ioredis';
import { hasBudgets, type BudgetSettings } from '../../core/budgets/budget-settings.js';
import { remainingBudgets, spentBudget, type SpentBudget } from '../../core/budgets/remaining-budgets.js';
import type { RemainingBudgets } from '../../core/routing/fleet-snapshot.js';
import { createSpendStore } from './spend-store.js';

/** A worker's view of the budgets: whether a tenant's (or the fleet's) is spent, from spend read at most `maxAgeMs` ago. */
export interface BudgetGate {
  readonly settings: BudgetSettings;
  /** The budget a job of `tenant` may no longer spend from; undefined while money is left. */
  spent(tenant: string): Promise<SpentBudget | undefined>;
}

export interface BudgetGateDeps {
  redis: Redis;
  fleet: { name: string; budgets?: BudgetSettings | undefined };
  /** How long one read of the spend serves every job of this process; 250 ms by default. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Reads the period's spend from Redis (one HGETALL, shared by every job
 * that asks within `maxAgeMs`, and by concurrent asks) and says which
 * budget is spent. Undefined when the fleet sets no budget: nothing to
 * enforce, nothing read.
 */
export function createBudgetGate(deps: BudgetGateDeps): BudgetGate | undefined {
  const configured = deps.fleet.budgets;
  if (!hasBudgets(configured)) return undefined;
  const settings: BudgetSettings = configured;
  const now = deps.now ?? Date.now;
  const maxAgeMs = deps.maxAgeMs ?? 250;
  const store = createSpendStore({ redis: deps.redis, fleetName: deps.fleet.name, period: settings.period });
  let latest: { at: number; left: RemainingBudgets | undefined } | undefined;
  let reading: Promise<RemainingBudgets | undefined> | undefined;

  async function left(): Promise<RemainingBudgets | undefined> {
    if (latest !== undefined && now() - latest.at < maxAgeMs) return latest.left;
    reading ??= (async () => {
      try {
        const at = now();
        const budgets = remainingBudgets(settings, await store.read(at));
        latest = { at, left: budgets };
        return budgets;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  return {
    settings,
    async spent(tenant) {
      return spentBudget(settings, await left(), tenant);
    },
  };
}
