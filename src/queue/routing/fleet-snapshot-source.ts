import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { hasBudgets, type BudgetSettings } from '../../core/budgets/budget-settings.js';
import { remainingBudgets } from '../../core/budgets/remaining-budgets.js';
import { summarizeBreakerReports } from '../../core/report/breaker-report.js';
import { EMPTY_SNAPSHOT, type BreakerState, type FleetSnapshot } from '../../core/routing/fleet-snapshot.js';
import { breakersKey } from '../../resilience/breaker-state-publisher.js';
import { createSpendStore } from '../budgets/spend-store.js';
import type { FleetQueues } from '../fleet-queues.js';
import { createModelStatsStore } from './model-stats-store.js';

export interface FleetSnapshotSourceDeps {
  redis: Redis;
  /** With `budgets` (the fleet file's), the snapshot also says what is left to spend (docs/budgets.md). */
  fleet: { name: string; tiers: readonly { name: string }[]; budgets?: BudgetSettings | undefined };
  queues: FleetQueues;
  /** How often the snapshot is read again; 2 s by default. */
  intervalMs?: number;
  /** Told when a read fails (the last snapshot stays in use). */
  logger?: Logger;
  now?: () => number;
}

export interface FleetSnapshotSource {
  /** The latest snapshot read; nothing known until the first read ends. Synchronous, for the producer. */
  current(): FleetSnapshot;
  /** Reads the snapshot now and makes it current. */
  refresh(): Promise<FleetSnapshot>;
  /** Reads now, then every `intervalMs` in the background; resolves after the first read (a failed one included). */
  start(): Promise<void>;
  /** Stops the background reads. */
  stop(): void;
}

/**
 * What the routers know of the fleet, read from Redis: the worst live
 * breaker state per model as the worker processes publish it
 * (breaker-state-publisher.ts; reports older than two minutes are from
 * processes that are gone), per-(model, task) moving averages
 * (model-stats-store.ts), and the jobs waiting per tier (waiting and
 * prioritized), and, when the fleet sets budgets, what is left of them in
 * the current period (this period's spend from spend-store.ts, subtracted
 * by remainingBudgets).
 * A failed read is logged and the last snapshot stays current.
 */
export function createFleetSnapshotSource(deps: FleetSnapshotSourceDeps): FleetSnapshotSource {
  const intervalMs = deps.intervalMs ?? 2_000;
  const now = deps.now ?? Date.now;
  const stats = createModelStatsStore({ redis: deps.redis, fleetName: deps.fleet.name });
  const budgets = hasBudgets(deps.fleet.budgets) ? deps.fleet.budgets : undefined;
  const spend = budgets === undefined ? undefined : createSpendStore({ redis: deps.redis, fleetName: deps.fleet.name, period: budgets.period });
  let snapshot: FleetSnapshot = EMPTY_SNAPSHOT;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<FleetSnapshot> | undefined;

  async function read(): Promise<FleetSnapshot> {
    const [reports, measured, depths, spent] = await Promise.all([
      deps.redis.hgetall(breakersKey(deps.fleet.name)),
      stats.readAll(),
      Promise.all(
        deps.fleet.tiers.map(async (tier) => [tier.name, await deps.queues.queue(tier.name).getJobCountByTypes('waiting', 'prioritized')] as const),
      ),
      spend?.read(now()),
    ]);
    const breakers: Record<string, BreakerState> = {};
    for (const [model, breaker] of summarizeBreakerReports(reports, now()).models) breakers[model] = breaker.state;
    const left = budgets === undefined || spent === undefined ? undefined : remainingBudgets(budgets, spent);
    return { breakers, stats: measured, queueDepth: Object.fromEntries(depths), ...(left === undefined ? {} : { budgets: left }) };
  }

  const source: FleetSnapshotSource = {
    current: () => snapshot,
    refresh() {
      // One read at a time: a slow Redis does not pile reads up.
      inFlight ??= read()
        .then((next) => (snapshot = next))
        .finally(() => (inFlight = undefined));
      return inFlight;
    },
    async start() {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        source.refresh().catch((error: unknown) => deps.logger?.warn({ err: error }, 'cannot read the fleet snapshot for routing'));
      }, intervalMs);
      timer.unref();
      await source.refresh().catch((error: unknown) => deps.logger?.warn({ err: error }, 'cannot read the fleet snapshot for routing'));
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
  return source;
}
