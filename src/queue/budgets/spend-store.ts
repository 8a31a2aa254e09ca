import type { Redis } from 'ioredis';
import { periodWindow } from '../../core/budgets/budget-period.js';
import type { BudgetPeriod } from '../../core/budgets/budget-settings.js';
import { roundUsd, type PeriodSpend } from '../../core/budgets/remaining-budgets.js';
import { fleetPrefix } from '../queue-names.js';

/** A period's spend is kept this long after its last write: for a day, into the next one and a little more. */
export const SPEND_TTL_SECONDS = 2 * 86_400;

const FLEET_FIELD = 'fleet';
const TENANT_FIELD = 'tenant:';

/** One period's spend (a hash: `fleet`, and `tenant:<name>` per tenant, USD as float strings), e.g. `{f}:spend:day:2025-06-01`. */
export function spendKey(fleetName: string, period: BudgetPeriod, at: number): string {
  return `${fleetPrefix(fleetName)}:spend:${periodWindow(period, at).label}`;
}

export interface SpendStore {
  /** Adds an answered call's cost to the fleet's and its tenant's spend of the period holding `at`. */
  add(tenant: string, usd: number, at: number): Promise<void>;
  /** The spend of the period holding `at`; nothing spent when the period has no key yet. */
  read(at: number): Promise<PeriodSpend>;
}

/** Reads a spend hash as numbers; fields that are not numbers count as nothing. */
export function parseSpend(hash: Readonly<Record<string, string>>): PeriodSpend {
  const amount = (text: string | undefined): number => {
    const value = Number(text);
    return Number.isFinite(value) ? roundUsd(value) : 0;
  };
  const byTenantUsd: Record<string, number> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith(TENANT_FIELD)) byTenantUsd[field.slice(TENANT_FIELD.length)] = amount(value);
  }
  return { fleetUsd: amount(hash[FLEET_FIELD]), byTenantUsd };
}

/**
 * The fleet's spend per budget period in Redis: one hash per period under
 * the fleet's prefix, added to with HINCRBYFLOAT (atomic, so every worker
 * process adds to it at once without losing any) and expiring
 * SPEND_TTL_SECONDS after its last write.
 */
export function createSpendStore(deps: { redis: Redis; fleetName: string; period: BudgetPeriod }): SpendStore {
  const keyAt = (at: number): string => spendKey(deps.fleetName, deps.period, at);
  return {
    async add(tenant, usd, at) {
      if (!(usd > 0) || !Number.isFinite(usd)) return;
      const key = keyAt(at);
      const replies = await deps.redis
        .multi()
        .hincrbyfloat(key, FLEET_FIELD, usd)
        .hincrbyfloat(key, `${TENANT_FIELD}${tenant}`, usd)
        .expire(key, SPEND_TTL_SECONDS)
        .exec();
      if (replies === null) throw new Error('spend: the transaction was discarded');
      const failed = replies.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
    },
    async read(at) {
      return parseSpend(await deps.redis.hgetall(keyAt(at)));
    },
  };
}
