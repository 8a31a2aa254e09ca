import type { Redis } from 'ioredis';
import type { EmulatorProcess } from '../emulator/spawn-emulator-process.js';
import type { FleetQueues } from '../queue/fleet-queues.js';
import { removeFleetKeys } from '../queue/remove-fleet-keys.js';
import type { ResolvedRedis } from './resolve-redis.js';
import type { TierWorkerProcess } from './spawn-tier-worker.js';

/**
 * What a throwaway local fleet (the demo, the replay benchmark) started, to
 * stop it all in reverse order: workers, then the fleet's keys, then the
 * emulator and a private Redis.
 */
export class StartedFleet {
  redis?: ResolvedRedis;
  emulator?: EmulatorProcess;
  workers: TierWorkerProcess[] = [];
  connection?: Redis;
  queues?: FleetQueues;
  fleetName?: string;
  /** The producer's routing (snapshot reads), when opened. */
  routing?: { close(): void };

  async stop(): Promise<void> {
    this.routing?.close();
    await Promise.allSettled(this.workers.map((w) => w.stop('SIGTERM')));
    if (this.connection !== undefined && this.fleetName !== undefined) {
      await this.queues?.close().catch(() => undefined);
      await removeFleetKeys(this.connection, this.fleetName).catch(() => undefined);
    }
    this.connection?.disconnect();
    await this.emulator?.stop().catch(() => undefined);
    await this.redis?.stop().catch(() => undefined);
  }
}
