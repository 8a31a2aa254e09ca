/** A circuit breaker's state, as opossum reports it. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Measured behaviour of one model (overall, or for one task type). */
export interface ModelStats {
  /** Calls measured. */
  samples: number;
  /** Share of calls that succeeded, in [0, 1] (a moving average when kept by `updateModelStats`). */
  successRate: number;
  /** Median latency of a call in ms (measured, or the moving estimate of `updateModelStats`). */
  p50LatencyMs: number;
}

/** A model's stats overall, and per task type where kept. */
export interface ModelStatsEntry extends ModelStats {
  byTask?: Readonly<Record<string, ModelStats>> | undefined;
}

/**
 * Money left to spend in the current budget period, in USD, when the fleet
 * sets budgets (core/budgets/remaining-budgets.ts): the fleet's, when it has
 * a budget, and each tenant's that has a budget and is listed (a tenant
 * with a budget that is not listed has not spent anything). Below zero when
 * jobs in flight overshot the budget.
 */
export interface RemainingBudgets {
  fleetUsd?: number | undefined;
  byTenantUsd?: Readonly<Record<string, number>> | undefined;
}

/**
 * What the routers know of the fleet at the moment of a decision: breaker
 * states, measured stats per model, queue depth per tier, and budgets. A
 * model or tier that is missing counts as closed, unmeasured, or empty.
 */
export interface FleetSnapshot {
  breakers: Readonly<Record<string, BreakerState>>;
  stats: Readonly<Record<string, ModelStatsEntry>>;
  /** Jobs waiting per tier. */
  queueDepth: Readonly<Record<string, number>>;
  budgets?: RemainingBudgets | undefined;
}

/** A snapshot with nothing known: every breaker closed, nothing measured, queues empty. */
export const EMPTY_SNAPSHOT: FleetSnapshot = { breakers: {}, stats: {}, queueDepth: {} };

export function breakerState(snapshot: FleetSnapshot, model: string): BreakerState {
  return snapshot.breakers[model] ?? 'closed';
}

/** An open breaker refuses calls; a half-open one lets a trial call through. */
export function isBreakerOpen(snapshot: FleetSnapshot, model: string): boolean {
  return breakerState(snapshot, model) === 'open';
}

/** A model's stats for `task` when given (and kept), else overall; undefined when never measured. */
export function statsOf(snapshot: FleetSnapshot, model: string, task?: string): ModelStats | undefined {
  const entry = snapshot.stats[model];
  if (entry === undefined) return undefined;
  if (task === undefined) return entry;
  return entry.byTask?.[task];
}
