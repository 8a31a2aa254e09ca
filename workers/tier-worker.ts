/**
 * Entry point of one tier's worker process: load configuration, wire the
 * Bedrock client, breakers, queues and the BullMQ worker, and drain on
 * SIGTERM/SIGINT (in-flight jobs finish within the grace period; any cut off
 * go back to the queue).
 */
import { hostname } from 'node:os';
import { CliError, EXIT, redactUrl } from '../src/cli/cli-error.js';
import { checkCredentials, NoCredentialsError } from '../src/converse/check-credentials.js';
import { probeRedis } from '../src/cli/probe-redis.js';
import { ConfigError } from '../src/config/config-error.js';
import { fleetFileDir } from '../src/config/load-custom-router.js';
import { loadSettings } from '../src/config/load-settings.js';
import { modelClientFromSettings } from '../src/converse/model-client-from-settings.js';
import { createFleetQueues } from '../src/queue/fleet-queues.js';
import { createRedisConnection } from '../src/queue/create-redis-connection.js';
import { createTierWorker } from '../src/queue/create-tier-worker.js';
import { createBatchStore } from '../src/queue/batches/batch-store.js';
import { batchAnnouncer, createBatchObserver } from '../src/queue/batches/create-batch-observer.js';
import { startInterruptedBatchSweep } from '../src/queue/batches/interrupted-batch-sweep.js';
import { createContextObservers } from '../src/queue/create-context-observers.js';
import { createFlowsWorker } from '../src/queue/flows/create-flows-worker.js';
import { readJobResult } from '../src/queue/read-job-result.js';
import { createStatsObserver } from '../src/queue/stats/create-stats-observer.js';
import { createModelStatsObserver } from '../src/queue/routing/create-model-stats-observer.js';
import { createModelStatsStore } from '../src/queue/routing/model-stats-store.js';
import { createWebhookObserver } from '../src/queue/webhooks/create-webhook-observer.js';
import { createWebhookWorker } from '../src/queue/webhooks/create-webhook-worker.js';
import { createWebhookDispatcher } from '../src/queue/webhooks/webhook-queue.js';
import { createBreakerRegistry, type BreakerState } from '../src/resilience/breaker-registry.js';
import { createBreakerStatePublisher } from '../src/resilience/breaker-state-publisher.js';
import { createCachedModelClient } from '../src/resilience/cached-model-client.js';
import { createLogger } from '../src/telemetry/create-logger.js';
import { createFleetMetrics } from '../src/telemetry/fleet-metrics.js';
import { startMetricsServer } from '../src/telemetry/start-metrics-server.js';
import { startTracing } from '../src/telemetry/start-tracing.js';
import { createMetricsObserver } from '../src/queue/stats/create-metrics-observer.js';

export interface TierWorkerProcessOptions {
  tier: string;
  concurrency?: number;
  /** How long to keep trying to reach Redis at start-up before giving up (exit 1); 5 s by default. */
  redisWaitMs?: number;
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
  // Redis not answering at start-up: one line and exit 1 (via the CLI), not a stack trace per reconnect forever.
  // A few seconds' patience covers Redis that is still starting next to us.
  await probeRedis(settings.redisUrl, {
    connectTimeoutMs: 3_000,
    waitMs: options.redisWaitMs ?? 5_000,
    hint: 'start Redis (or "fleet up"), or set REDIS_URL to one that runs',
  });
  const logger = createLogger({ level: settings.logLevel, logPrompts: settings.logPrompts, name: 'worker' });
  // Prometheus metrics of this process (FLEET_METRICS_PORT): its model calls, jobs, throttled pauses, breaker changes.
  // First: a port in use stops the process before it opens anything else.
  const metricsServer = settings.metrics === undefined
    ? undefined
    : await startMetricsServer({
        ...settings.metrics,
        serviceName: 'fleet-worker',
        attributes: { 'fleet.name': fleet.name, 'fleet.tier': tier.name },
        onError: (error) => logger.warn({ err: error }, 'metrics server error'),
      });
  const metrics = metricsServer === undefined ? undefined : createFleetMetrics(metricsServer.meter);
  if (metricsServer !== undefined) logger.info({ metrics: metricsServer.url }, 'metrics served');
  // Traces to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set: each job's run (continuing its producer's trace) and its model calls.
  const tracing = startTracing({ serviceName: 'fleet-worker', attributes: { 'fleet.name': fleet.name, 'fleet.tier': tier.name }, env: process.env });
  const connection = createRedisConnection(settings.redisUrl, `fleet-worker-${tier.name}`);
  const queues = createFleetQueues(fleet, connection, tracing === undefined ? {} : { telemetry: tracing.telemetry });
  // Redis going away later: the connection reconnects and jobs wait. Said once per outage, in the log (with no
  // listener, each queue would print a raw stack trace at every reconnect attempt).
  let redisDown = false;
  const onRedisError = (error: Error): void => {
    if (redisDown) return;
    redisDown = true;
    logger.error({ err: error, redis: redactUrl(settings.redisUrl) }, 'Redis connection lost; reconnecting (jobs wait until it is back)');
  };
  connection.on('ready', () => {
    if (!redisDown) return;
    redisDown = false;
    logger.info({ redis: redactUrl(settings.redisUrl) }, 'Redis connection back');
  });
  for (const queue of [...queues.all(), queues.flows]) queue.on('error', onRedisError);
  const { client: bedrock, sdk, signsWithDefaultChain } = modelClientFromSettings({ ...settings, env: process.env });
  if (signsWithDefaultChain) {
    // No credentials anywhere: one line and exit 1, rather than take jobs that can only fail and open every breaker.
    try {
      await checkCredentials(sdk);
    } catch (error) {
      sdk.destroy();
      await queues.close();
      connection.disconnect();
      await metricsServer?.close();
      await tracing?.shutdown().catch(() => undefined);
      if (error instanceof NoCredentialsError) throw new CliError(error.message, EXIT.failed);
      throw error;
    }
  }
  // The response cache answers repeated deterministic calls from Redis (off unless the fleet file's `cache.mode` says so).
  const client = createCachedModelClient({ client: bedrock, redis: connection, fleetName: fleet.name, settings: fleet.cache, logger: logger.child({ part: 'response-cache' }) });
  const processId = `${hostname()}:${process.pid}`;
  const breakerStates = createBreakerStatePublisher({ redis: connection, fleetName: fleet.name, tier: tier.name, processId });
  const breakers = createBreakerRegistry({
    settingsFor: (modelId) => (fleet.tiers.find((t) => t.models.some((m) => m.id === modelId)) ?? tier).breaker,
    onStateChange: (model, state) => {
      logger.warn({ tier: tier.name, model, breaker: state }, `breaker ${state}`);
      metrics?.breakerChanged(model, state);
      breakerStates.publish(model, state).catch((error: unknown) => logger.warn({ err: error }, 'cannot publish breaker state'));
    },
  });
  // Every model of the tier is reported (closed until used), so the dashboard sees this process as live.
  const beat = (): void => {
    const baseline = Object.fromEntries(tier.models.map((m): [string, BreakerState] => [m.id, 'closed']));
    breakerStates.heartbeat({ ...baseline, ...breakers.states() }).catch((error: unknown) => logger.warn({ err: error }, 'breaker heartbeat failed'));
  };
  beat();
  const heartbeat = setInterval(beat, 30_000);
  heartbeat.unref();

  // What happens when a client's job finishes: batch counters, statistics, webhooks (delivered by this process too).
  // (Budget spend counts as each call answers: createTierWorker wraps the client.)
  const read = (id: string) => readJobResult({ fleetName: fleet.name, queues, redis: connection }, id);
  const webhooks = createWebhookDispatcher({ fleetName: fleet.name, connection });
  const webhookWorker = createWebhookWorker({
    fleetName: fleet.name,
    connection,
    logger: logger.child({ part: 'webhooks' }),
    allowPrivateTargets: settings.webhookAllowPrivate,
    timings: fleet.workers,
  });
  const batches = createBatchStore({ redis: connection, fleetName: fleet.name, keepSeconds: fleet.jobs.keepCompletedSeconds });
  const defaultSecret = settings.webhookSecret;
  const announcing = { webhooks, ...(defaultSecret === undefined ? {} : { defaultSecret }), logger };
  // A batch whose submission stopped part-way never finishes until sent again: its webhook hears so.
  const announceInterrupted = batchAnnouncer(announcing, 'batch.interrupted');
  const stopBatchSweep = startInterruptedBatchSweep({
    batches,
    announce: async (batch, lapsedAt) => {
      await announceInterrupted(batch, lapsedAt);
      metrics?.batchInterrupted();
    },
    log: logger,
  });
  const observers = [
    createBatchObserver({ batches, ...announcing }),
    createStatsObserver({ redis: connection, fleetName: fleet.name }),
    // Per-(model, task) success rates and latencies the adaptive and latency routers read (docs/routers.md).
    createModelStatsObserver({ store: createModelStatsStore({ redis: connection, fleetName: fleet.name }) }),
    createWebhookObserver({ dispatcher: webhooks, defaultSecret, readResult: read, logger }),
    ...createContextObservers({ redis: connection, fleet }),
    ...(metrics === undefined ? [] : [createMetricsObserver(metrics)]),
  ];
  // Ensemble and pipeline parents (docs/flows.md): every worker process serves them, telling the same observers.
  const flowsWorker = createFlowsWorker({ fleet, connection, queues, logger, observers, baseDir: fleetFileDir(settings.fleetFile) });
  const worker = createTierWorker({
    observers,
    fleet,
    tier,
    connection,
    client,
    breakers,
    queues,
    logger,
    fleetDir: fleetFileDir(settings.fleetFile),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(tracing === undefined ? {} : { tracer: tracing.tracer }),
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
    stopBatchSweep();
    logger.info({ signal, tier: tier.name }, 'worker stopping');
    worker
      .shutdown()
      .then(async () => {
        clearInterval(heartbeat);
        await flowsWorker.shutdown();
        await webhookWorker.close();
        await webhooks.close();
        await breakerStates.clear().catch(() => undefined);
        breakers.shutdown();
        await queues.close();
        connection.disconnect();
        sdk.destroy();
        await metricsServer?.close();
        await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'could not send the last spans'));
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
