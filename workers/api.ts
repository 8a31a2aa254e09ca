/**
 * Entry point of the API process: load configuration, wire Redis, queues,
 * the producer, batches, cancellation, dashboards and scaling into the
 * Fastify app, listen, and close cleanly on SIGTERM/SIGINT.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../src/api/create-app.js';
import { DEFAULT_API_LIMITS } from '../src/api/api-deps.js';
import { createApiKeyTable } from '../src/api/auth/api-key-table.js';
import { registerDashboards } from '../src/api/dashboard/register-dashboards.js';
import { registerScalingRoute } from '../src/api/routes/scaling-route.js';
import { loadApiSettings } from '../src/config/api-settings.js';
import { loadSettings } from '../src/config/load-settings.js';
import { createBatchStore } from '../src/queue/batches/batch-store.js';
import { batchAnnouncer, createBatchObserver } from '../src/queue/batches/create-batch-observer.js';
import { cancelJob } from '../src/queue/cancel-job.js';
import { createProducer } from '../src/queue/create-producer.js';
import { openProducerRouting } from '../src/queue/routing/open-producer-routing.js';
import { createRedisConnection } from '../src/queue/create-redis-connection.js';
import { createFleetQueues } from '../src/queue/fleet-queues.js';
import { readJobResult } from '../src/queue/read-job-result.js';
import { createStatsObserver } from '../src/queue/stats/create-stats-observer.js';
import { createWebhookObserver } from '../src/queue/webhooks/create-webhook-observer.js';
import { createWebhookDispatcher } from '../src/queue/webhooks/webhook-queue.js';
import { createMetricsObserver } from '../src/queue/stats/create-metrics-observer.js';
import { observeFleetGauges } from '../src/queue/stats/observe-fleet-gauges.js';
import { createFleetMetrics } from '../src/telemetry/fleet-metrics.js';
import { createLogger } from '../src/telemetry/create-logger.js';
import { startMetricsServer } from '../src/telemetry/start-metrics-server.js';
import { startTracing } from '../src/telemetry/start-tracing.js';

export interface ApiProcessOptions {
  port: number;
  host: string;
}

export async function runApiProcess(options: ApiProcessOptions): Promise<{ app: FastifyInstance; url: string }> {
  const settings = loadSettings();
  const api = loadApiSettings();
  const { fleet } = settings;
  const logger = createLogger({ level: settings.logLevel, logPrompts: settings.logPrompts, name: 'api' });
  // Prometheus metrics (FLEET_METRICS_PORT), first: a port in use stops the process before it opens anything else.
  const metricsServer = settings.metrics === undefined
    ? undefined
    : await startMetricsServer({
        ...settings.metrics,
        serviceName: 'fleet-api',
        attributes: { 'fleet.name': fleet.name },
        onError: (error) => logger.warn({ err: error }, 'metrics server error'),
      });
  // Traces to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set: each job added starts the trace its workers continue.
  const tracing = startTracing({ serviceName: 'fleet-api', attributes: { 'fleet.name': fleet.name }, env: process.env });
  const redis = createRedisConnection(settings.redisUrl, 'fleet-api');
  const queues = createFleetQueues(fleet, redis, tracing === undefined ? {} : { telemetry: tracing.telemetry });
  const routing = await openProducerRouting({ fleet, fleetFile: settings.fleetFile, redis, queues, logger });
  const producer = createProducer({ fleet, queues, redis, ...routing.deps });
  const batches = createBatchStore({ redis, fleetName: fleet.name, keepSeconds: fleet.jobs.keepCompletedSeconds });
  const webhooks = createWebhookDispatcher({ fleetName: fleet.name, connection: redis });
  const apiKeys = createApiKeyTable(api.keys);
  const read = (id: string) => readJobResult({ fleetName: fleet.name, queues, redis }, id);
  // A waiting job cancelled here never reaches a worker: these hear of it from the cancel (its batch, the statistics, its webhook).
  const defaultSecret = settings.webhookSecret;
  const cancelObservers = [
    createBatchObserver({ batches, webhooks, ...(defaultSecret === undefined ? {} : { defaultSecret }), logger }),
    createStatsObserver({ redis, fleetName: fleet.name }),
    createWebhookObserver({ dispatcher: webhooks, defaultSecret, readResult: read, logger }),
    ...(metricsServer === undefined ? [] : [createMetricsObserver(createFleetMetrics(metricsServer.meter))]),
  ];
  if (metricsServer !== undefined) {
    // The fleet-wide gauges (queues, workers, throttled pauses, breakers), read at each scrape.
    observeFleetGauges({ meter: metricsServer.meter, fleet, queues, redis, logger: logger.child({ part: 'metrics' }) });
    logger.info({ metrics: metricsServer.url }, 'metrics served');
  }

  const app = await createApp(
    {
      fleet,
      redis,
      queues,
      producer,
      batches,
      apiKeys,
      readResult: read,
      cancel: (id) => cancelJob({ fleetName: fleet.name, queues, redis, keepSeconds: fleet.jobs.keepFailedSeconds, observers: cancelObservers, log: logger }, id),
      onBatchFinished: batchAnnouncer({ webhooks, ...(settings.webhookSecret === undefined ? {} : { defaultSecret: settings.webhookSecret }), logger }),
      limits: { ...DEFAULT_API_LIMITS, rateLimitPerMinute: api.rateLimitPerMinute },
      webhookSecret: settings.webhookSecret,
      logger,
      adminTenants: api.adminTenants,
    },
    {
      v1: (scope) => registerScalingRoute(scope, { fleet, queues }),
      ...(tracing === undefined ? {} : { tracing: tracing.httpPlugin }),
      outside: (root) =>
        registerDashboards(root, {
          fleet,
          queues,
          redis,
          apiKeys,
          adminTenants: api.adminTenants,
          readOnly: !api.dashboardWrite,
          sessionSecret: api.sessionSecret ?? randomBytes(32).toString('hex'),
        }),
    },
  );
  const url = await app.listen({ port: options.port, host: options.host });
  logger.info({ url, tenants: api.keys.length, admins: [...api.adminTenants] }, 'api ready');
  process.send?.({ type: 'ready', url });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping');
    app
      .close()
      .then(async () => {
        await metricsServer?.close();
        await webhooks.close();
        routing.close();
        await queues.close();
        await tracing?.shutdown().catch(() => undefined);
        redis.disconnect();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'api did not stop cleanly');
        process.exit(1);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { app, url };
}
