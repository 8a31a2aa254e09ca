import type { FastifyInstance } from 'fastify';
import { createApp, type AppExtras } from '../../src/api/create-app.js';
import { DEFAULT_API_LIMITS, type ApiLimits } from '../../src/api/api-deps.js';
import { createApiKeyTable } from '../../src/api/auth/api-key-table.js';
import { cancelJob } from '../../src/queue/cancel-job.js';
import { createBatchStore } from '../../src/queue/batches/batch-store.js';
import { createBatchObserver } from '../../src/queue/batches/create-batch-observer.js';
import { startFleetHarness, type FleetHarness, type FleetHarnessOptions } from './fleet-harness.js';
import { pino } from 'pino';

export const KEYS = {
  acme: 'acme-key-0123456789abcdef',
  globex: 'globex-key-0123456789abcdef',
  ops: 'ops-key-0123456789abcdef-admin',
} as const;

export const auth = (tenant: keyof typeof KEYS): Record<string, string> => ({ authorization: `Bearer ${KEYS[tenant]}` });

export interface ApiHarness {
  fleet: FleetHarness;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The fleet harness (real Redis, emulator, in-process workers counting batches) behind the real API app. */
export async function startApiHarness(
  options: FleetHarnessOptions & {
    limits?: Partial<ApiLimits>;
    extras?: AppExtras;
    /** Run the workers without the batch observer, as if each died before counting its job. */
    withoutBatchObserver?: boolean;
    settleMissedAfterMs?: number;
    /** The fleet's default webhook secret (FLEET_WEBHOOK_SECRET). */
    webhookSecret?: string;
  } = {},
): Promise<ApiHarness> {
  const workers = options.workers;
  const fleet = await startFleetHarness({ ...options, workers: [] });
  const batches = createBatchStore({ redis: fleet.redis, fleetName: fleet.fleet.name, keepSeconds: fleet.fleet.jobs.keepCompletedSeconds });
  if (options.withoutBatchObserver !== true) fleet.observers.push(createBatchObserver({ batches, logger: pino({ level: 'silent' }) }));
  for (const tier of workers ?? fleet.fleet.tiers.map((t) => t.name)) await fleet.startWorker(tier);
  const app = await createApp(
    {
      fleet: fleet.fleet,
      redis: fleet.redis,
      queues: fleet.queues,
      producer: fleet.producer,
      batches,
      apiKeys: createApiKeyTable(Object.entries(KEYS).map(([tenant, key]) => ({ tenant, key }))),
      readResult: (id) => fleet.read(id),
      // The API process tells the workers' observers of a waiting job it removes (workers/api.ts).
      cancel: (id) => cancelJob({ fleetName: fleet.fleet.name, queues: fleet.queues, redis: fleet.redis, keepSeconds: 3_600, observers: fleet.observers }, id),
      limits: { ...DEFAULT_API_LIMITS, ...options.limits },
      ...(options.webhookSecret === undefined ? {} : { webhookSecret: options.webhookSecret }),
      logger: false,
      // The `ops` key is an admin's (as FLEET_ADMIN_TENANTS would say).
      adminTenants: new Set(['ops']),
      ...(options.settleMissedAfterMs === undefined ? {} : { settleMissedAfterMs: options.settleMissedAfterMs }),
    },
    options.extras,
  );
  await app.ready();
  return {
    fleet,
    app,
    async close() {
      await app.close();
      await fleet.close();
    },
  };
}
