import type { Redis } from 'ioredis';
import { breakerReportField, breakerReportValue } from '../core/report/breaker-report.js';
import { fleetPrefix } from '../queue/queue-names.js';
import type { BreakerState } from './breaker-registry.js';

/** The hash of every process's breaker reports: field `<tier>|<model>|<processId>`, value JSON `{state, at}`. */
export function breakersKey(fleetName: string): string {
  return `${fleetPrefix(fleetName)}:breakers`;
}

/** The hash outlives its last write by this much, so a fleet that stopped leaves nothing behind. */
const KEY_TTL_SECONDS = 86_400;

export interface BreakerStatePublisherDeps {
  redis: Redis;
  fleetName: string;
  tier: string;
  /** Unique per process, e.g. `<host>:<pid>`. */
  processId: string;
  now?: () => number;
}

export interface BreakerStatePublisher {
  /** Records a model's breaker state now (call it from the registry's `onStateChange`). */
  publish(model: string, state: BreakerState): Promise<void>;
  /** Refreshes every model's report, so readers know this process is alive (every 30 s). */
  heartbeat(states: Readonly<Record<string, BreakerState>>): Promise<void>;
  /** Removes this process's reports (on a clean shutdown). */
  clear(): Promise<void>;
}

/**
 * Shares this process's breaker states with the dashboard: one report per
 * (tier, model, process) in one hash. Readers treat a report older than two
 * minutes as from a process that is gone, so a live process must heartbeat.
 */
export function createBreakerStatePublisher(deps: BreakerStatePublisherDeps): BreakerStatePublisher {
  const now = deps.now ?? Date.now;
  const key = breakersKey(deps.fleetName);
  const field = (model: string): string => breakerReportField(deps.tier, model, deps.processId);
  const published = new Set<string>();

  async function write(states: Readonly<Record<string, BreakerState>>): Promise<void> {
    const entries = Object.entries(states);
    if (entries.length === 0) return;
    const at = now();
    const values: Record<string, string> = {};
    for (const [model, state] of entries) {
      values[field(model)] = breakerReportValue(state, at);
      published.add(model);
    }
    await deps.redis.multi().hset(key, values).expire(key, KEY_TTL_SECONDS).exec();
  }

  return {
    publish: (model, state) => write({ [model]: state }),
    heartbeat: (states) => write(states),
    async clear() {
      if (published.size === 0) return;
      await deps.redis.hdel(key, ...[...published].map(field));
      published.clear();
    },
  };
}
