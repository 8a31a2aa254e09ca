/**
 * Entry point of one tier's worker process: load configuration, wire the
 * Bedrock client, breakers, queues and the BullMQ worker, and drain on
 * SIGTERM/SIGINT (in-flight jobs finish within the grace period; any cut off
 * go back to the queue).
 */
import { ConfigError } from '../src/config/config-error.js';
import { loadSettings } from '../src/config/load-settings.js';
import { modelClientFromSettings } from '../src/converse/model-client-from-settings.js';
import { createFleetQueues } from '../src/queue/fleet-queues.js';
import { createRedisConnection } from '../src/queue/create-redis-connection.js';
import { createTierWorker } from '../src/queue/create-tier-worker.js';
import { createBreakerRegistry } from '../src/resilience/breaker-registry.js';
import { createLogger } from '../src/telemetry/create-logger.js';

export interface TierWorkerProcessOptions {
  tier: string;
  concurrency?: number;
}

export async function runTierWorkerProcess(options: TierWorkerProcessOptions): Promise<void> {
  const settings = loadSettings();
  const { fleet } = settings;
  const tier = fleet.tiers.find((t) => t.name === options.tier);
  if (tier === undefined) {
    throw new ConfigError('--tier', [
      { where: '--tier', message: `no tier is named "${options.tier}"; expected one of ${fleet.tiers.map((t) => t.name).join(', ')}` },
    ]);
  }
  const logger = createLogger({ level: settings.logLevel, logPrompts: settings.logPrompts, name: 'worker' });
  const connection = createRedisConnection(settings.redisUrl, `fleet-worker-${tier.name}`);
  const queues = createFleetQueues(fleet, connection);
  const { client, sdk } = modelClientFromSettings({ ...settings, env: process.env });
  const breakers = createBreakerRegistry({
    settingsFor: (modelId) => (fleet.tiers.find((t) => t.models.some((m) => m.id === modelId)) ?? tier).breaker,
    onStateChange: (model, state) => logger.warn({ tier: tier.name, model, breaker: state }, `breaker ${state}`),
  });
  const worker = createTierWorker({
    fleet,
    tier,
    connection,
    client,
    breakers,
    queues,
    logger,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
  await worker.worker.waitUntilReady();
  logger.info(
    { tier: tier.name, concurrency: worker.worker.concurrency, models: tier.models.map((m) => m.id), bedrock: settings.bedrockEndpoint ?? 'aws' },
    'worker ready',
  );
  // A parent that started this process with an IPC channel (the demo, tests) learns it is ready.
  process.send?.({ type: 'ready', tier: tier.name });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, tier: tier.name }, 'worker stopping');
    worker
      .shutdown()
      .then(async () => {
        breakers.shutdown();
        await queues.close();
        connection.disconnect();
        sdk.destroy();
        logger.info({ tier: tier.name }, 'worker stopped');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'worker did not stop cleanly');
        process.exit(1);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
