import type { BudgetPeriod } from './budget-settings.js';

/** One period of a budget: a label for keys and views, and when it starts and ends (epoch ms, end exclusive). */
export interface PeriodWindow {
  /** Stable and sortable, e.g. `day:2025-06-01`. */
  label: string;
  startsAt: number;
  endsAt: number;
}

const DAY_MS = 86_400_000;

/** The period holding the instant `at` (epoch ms): for `day`, the UTC calendar day. Pure. */
export function periodWindow(period: BudgetPeriod, at: number): PeriodWindow {
  switch (period) {
    case 'day': {
      const startsAt = Math.floor(at / DAY_MS) * DAY_MS;
      return { label: `day:${new Date(startsAt).toISOString().slice(0, 10)}`, startsAt, endsAt: startsAt + DAY_MS };
    }
  }
}

/** How a reason or message names a period's budget: `daily`. */
export function periodAdjective(period: BudgetPeriod): string {
  switch (period) {
    case 'day':
      return 'daily';
  }
}
