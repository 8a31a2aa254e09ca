import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadSettings, type Settings } from '../config/load-settings.js';
import type { JobResult } from '../core/job/job-result.js';
import { createBatchStore, type BatchStore } from '../queue/batches/batch-store.js';
import { createProducer, type Producer } from '../queue/create-producer.js';
import { createRedisConnection } from '../queue/create-redis-connection.js';
import { createFleetQueues, type FleetQueues } from '../queue/fleet-queues.js';
import { readJobResult } from '../queue/read-job-result.js';
import { openProducerRouting } from '../queue/routing/open-producer-routing.js';
import { probeRedis } from './probe-redis.js';

/** The fleet straight from Redis, for the CLI's direct mode (no API). */
export interface DirectFleet {
  settings: Settings;
  redis: Redis;
  queues: FleetQueues;
  producer: Producer;
  batches: BatchStore;
  read(id: string): Promise<JobResult | undefined>;
  close(): Promise<void>;
}

/** Loads the settings (FLEET_CONFIG, FLEET_NAME, REDIS_URL) and connects to the fleet's Redis. */
export async function openDirectFleet(env: Record<string, string | undefined> = process.env, timeoutMs = 3_000): Promise<DirectFleet> {
  const settings = loadSettings({ env });
  // Fails fast, in one line, when Redis does not answer (the fleet's connection would wait for it forever).
  await probeRedis(settings.redisUrl, {
    connectTimeoutMs: timeoutMs,
    hint: 'start the fleet with "fleet up", set REDIS_URL, or use --api URL',
  });
  const { fleet } = settings;
  const redis = createRedisConnection(settings.redisUrl, 'fleet-cli');
  redis.on('error', () => undefined);
  const queues = createFleetQueues(fleet, redis);
  // The configured routers: the custom module loaded, the fleet snapshot read (warnings go to stderr).
  const logger = pino({ name: 'fleet-cli', level: 'warn' }, pino.destination(2));
  const routing = await openProducerRouting({ fleet, fleetFile: settings.fleetFile, redis, queues, logger }).catch(async (error: unknown) => {
    await queues.close().catch(() => undefined);
    redis.disconnect();
    throw error;
  });
  return {
    settings,
    redis,
    queues,
    producer: createProducer({ fleet, queues, redis, ...routing.deps }),
    batches: createBatchStore({ redis, fleetName: fleet.name, keepSeconds: fleet.jobs.keepCompletedSeconds }),
    read: (id) => readJobResult({ fleetName: fleet.name, queues, redis }, id),
    async close() {
      routing.close();
      await queues.close().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
