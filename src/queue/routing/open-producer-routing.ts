import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetConfig } from '../../config/fleet-schema.js';
import { fleetFileDir, loadCustomRouter } from '../../config/load-custom-router.js';
import { hasBudgets } from '../../core/budgets/budget-settings.js';
import { routerReadsSnapshot } from '../../core/routing/build-router.js';
import { EMPTY_SNAPSHOT, type FleetSnapshot } from '../../core/routing/fleet-snapshot.js';
import type { Router } from '../../core/routing/router.js';
import type { FleetQueues } from '../fleet-queues.js';
import { createFleetSnapshotSource, type FleetSnapshotSource } from './fleet-snapshot-source.js';

export interface ProducerRoutingDeps {
  fleet: FleetConfig;
  /** The fleet file, whose folder a relative `routing.custom.module` is read from; the working directory when unset. */
  fleetFile?: string | undefined;
  redis: Redis;
  queues: FleetQueues;
  logger: Logger;
  /** How often the snapshot is read again; 2 s by default. */
  intervalMs?: number;
  /** Read the snapshot even when no configured router needs it (tests, dashboards). */
  alwaysRead?: boolean;
}

/** What a producer needs for the configured routers, and the background reads to stop. */
export interface ProducerRouting {
  /** Spread into createProducer's deps. */
  deps: { snapshot: () => FleetSnapshot; customRouter?: Router };
  /** The background snapshot reads; undefined when no router reads the snapshot. */
  source: FleetSnapshotSource | undefined;
  close(): void;
}

/**
 * The async part of routing, done once where a producer is created: loads
 * the custom router module (`routing.custom`, throwing a ConfigError naming
 * its path when it cannot), and starts reading the fleet snapshot from Redis
 * every `intervalMs` when a configured router reads it (cost, latency,
 * adaptive, custom, or any model router) or the fleet sets budgets (what is
 * left of them rides on the snapshot), waiting for the first read.
 */
export async function openProducerRouting(deps: ProducerRoutingDeps): Promise<ProducerRouting> {
  const { fleet, logger } = deps;
  const custom = fleet.routing.custom;
  const customRouter =
    custom === undefined
      ? undefined
      : await loadCustomRouter({
          config: custom,
          baseDir: deps.fleetFile === undefined ? process.cwd() : fleetFileDir(deps.fleetFile),
          fleet,
          warn: (message) => logger.warn({ router: 'custom' }, message),
        });
  const reads = deps.alwaysRead === true || routerReadsSnapshot(fleet.routing) || hasBudgets(fleet.budgets);
  const source = reads
    ? createFleetSnapshotSource({
        redis: deps.redis,
        fleet,
        queues: deps.queues,
        logger,
        ...(deps.intervalMs === undefined ? {} : { intervalMs: deps.intervalMs }),
      })
    : undefined;
  await source?.start();
  return {
    deps: { snapshot: source === undefined ? () => EMPTY_SNAPSHOT : () => source.current(), ...(customRouter === undefined ? {} : { customRouter }) },
    source,
    close: () => source?.stop(),
  };
}
