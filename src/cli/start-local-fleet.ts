import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadSettings, type Settings } from '../config/load-settings.js';
import type { JobResult } from '../core/job/job-result.js';
import { spawnEmulatorProcess } from '../emulator/spawn-emulator-process.js';
import { createProducer, type Producer } from '../queue/create-producer.js';
import { createFleetQueues } from '../queue/fleet-queues.js';
import { readJobResult } from '../queue/read-job-result.js';
import { openProducerRouting } from '../queue/routing/open-producer-routing.js';
import { resolveRedis } from './resolve-redis.js';
import { spawnTierWorker } from './spawn-tier-worker.js';
import type { StartedFleet } from './started-fleet.js';

export interface LocalFleetOptions {
  /** The fleet's name is this plus a random suffix, so its keys are its own. */
  namePrefix: string;
  scenarioFile: string;
  /** Where the workers' logs go. */
  logDir: string;
  /** More environment for every process (`FLEET_CONFIG`, …). */
  env?: Record<string, string>;
  workerLogLevel: string;
  /** The emulator's log level; the environment's when unset. */
  emulatorLogLevel?: string;
  /** Told what was started, a line at a time. */
  note?: (text: string) => void;
}

export interface LocalFleet {
  fleetName: string;
  settings: Settings;
  producer: Producer;
  read: (id: string) => Promise<JobResult | undefined>;
}

/**
 * A throwaway fleet on this machine, for the demo and the replay benchmark:
 * Redis (REDIS_URL, or a private redis-server), the emulator with a
 * scenario, one worker process per tier, and a producer with the fleet's
 * routing. Everything started is recorded in `started`, which stops it.
 */
export async function startLocalFleet(started: StartedFleet, options: LocalFleetOptions): Promise<LocalFleet> {
  const note = options.note ?? ((): void => undefined);
  started.redis = await resolveRedis(process.env);
  note(started.redis.started ? `Redis: started a private redis-server at ${started.redis.url}` : `Redis: ${started.redis.url}`);
  const fleetName = `${options.namePrefix}-${randomBytes(3).toString('hex')}`;
  // No metrics ports: a throwaway fleet's processes would all ask for the same one.
  const env = { ...process.env, ...options.env, REDIS_URL: started.redis.url, FLEET_NAME: fleetName, FLEET_METRICS_PORT: '' };
  const settings = loadSettings({ env });

  const emulatorEnv = options.emulatorLogLevel === undefined ? env : { ...env, LOG_LEVEL: options.emulatorLogLevel };
  started.emulator = await spawnEmulatorProcess({ scenarioFile: options.scenarioFile, env: emulatorEnv });
  note(`emulator: ${started.emulator.url}`);
  const workerEnv = { ...env, BEDROCK_ENDPOINT: started.emulator.url, LOG_LEVEL: options.workerLogLevel };
  started.workers = await Promise.all(
    settings.fleet.tiers.map((tier) => spawnTierWorker({ tier: tier.name, env: workerEnv, logFile: join(options.logDir, `worker-${tier.name}.log`) })),
  );
  note(`workers: ${started.workers.map((w) => `${w.tier} (pid ${w.pid})`).join(', ')}; logs in ${options.logDir}`);

  const connection = (started.connection = new Redis(started.redis.url, { maxRetriesPerRequest: null }));
  started.fleetName = settings.fleet.name;
  const queues = (started.queues = createFleetQueues(settings.fleet, connection));
  const routing = (started.routing = await openProducerRouting({
    fleet: settings.fleet,
    fleetFile: settings.fleetFile,
    redis: connection,
    queues,
    logger: pino({ name: options.namePrefix, level: 'warn' }, pino.destination(2)),
  }));
  const producer = createProducer({ fleet: settings.fleet, queues, redis: connection, ...routing.deps });
  return { fleetName, settings, producer, read: (id) => readJobResult({ fleetName: settings.fleet.name, queues, redis: connection }, id) };
}
