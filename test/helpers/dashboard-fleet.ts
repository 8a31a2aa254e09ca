import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { registerDashboards } from '../../src/api/dashboard/register-dashboards.js';
import { createApiKeyTable } from '../../src/api/auth/api-key-table.js';
import { createBedrockClient, EMULATOR_CREDENTIALS } from '../../src/converse/create-bedrock-client.js';
import { createBedrockModelClient } from '../../src/converse/bedrock-model-client.js';
import { priceTable } from '../../src/core/price-table.js';
import { createRedisConnection } from '../../src/queue/create-redis-connection.js';
import { createTierWorker } from '../../src/queue/create-tier-worker.js';
import { createStatsObserver } from '../../src/queue/stats/create-stats-observer.js';
import { REDIS_URL, startFleetHarness, type FleetHarness, type FleetHarnessOptions } from './fleet-harness.js';

export const ADMIN_KEY = 'admin-key-0123456789abcdef';
export const USER_KEY = 'user-key-0123456789abcdef';
export const SESSION_SECRET = 'test-session-secret-0123456789abcdef';

export interface DashboardFleet {
  harness: FleetHarness;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface DashboardFleetOptions {
  scenario?: FleetHarnessOptions['scenario'];
  /** Changes to the test fleet's input (budgets, say). */
  fleet?: FleetHarnessOptions['fleet'];
  /** Bull Board's read-only mode; true by default. */
  readOnly?: boolean;
  /** Called before the dashboards are registered (routes outside them, say). */
  beforeDashboards?: (app: FastifyInstance) => void;
}

/**
 * The fleet harness without its own workers, tier workers that record fleet
 * statistics, and a Fastify app with the dashboards (tenant `ops` is the
 * admin, `acme` is not). `close()` stops everything and removes every key.
 */
export async function startDashboardFleet(options: DashboardFleetOptions = {}): Promise<DashboardFleet> {
  const harness = await startFleetHarness({ workers: [], scenario: options.scenario, ...(options.fleet === undefined ? {} : { fleet: options.fleet }) });
  const { fleet } = harness;
  const sdk = createBedrockClient({ region: 'us-east-1', endpoint: harness.emulator.url, credentials: EMULATOR_CREDENTIALS });
  const client = createBedrockModelClient({ client: sdk, priceOf: priceTable(fleet.tiers.flatMap((t) => t.models)) });
  const connection = createRedisConnection(REDIS_URL, 'test-dashboard-worker');
  const observer = createStatsObserver({ redis: harness.redis, fleetName: fleet.name });
  const logger = pino({ level: 'silent' });
  for (const tier of fleet.tiers) {
    const worker = createTierWorker({ fleet, tier, connection, client, breakers: harness.breakers, queues: harness.queues, logger, observers: [observer] });
    await worker.worker.waitUntilReady();
    // The harness closes the workers in its map.
    harness.workers.set(tier.name, worker);
  }

  const app = Fastify();
  options.beforeDashboards?.(app);
  await registerDashboards(app, {
    fleet,
    queues: harness.queues,
    redis: harness.redis,
    apiKeys: createApiKeyTable([
      { tenant: 'ops', key: ADMIN_KEY },
      { tenant: 'acme', key: USER_KEY },
    ]),
    adminTenants: new Set(['ops']),
    readOnly: options.readOnly ?? true,
    sessionSecret: SESSION_SECRET,
  });
  await app.ready();

  return {
    harness,
    app,
    async close() {
      await app.close();
      await harness.close();
      connection.disconnect();
      sdk.destroy();
    },
  };
}
