import { pino } from 'pino';
import { batchResultLines } from '../queue/batches/batch-result-lines.js';
import { countPendingStates, SETTLE_MISSED_AFTER_MS } from '../queue/batches/count-pending-states.js';
import type { BatchRecord } from '../queue/batches/batch-store.js';
import { batchAnnouncer } from '../queue/batches/create-batch-observer.js';
import { createWebhookDispatcher } from '../queue/webhooks/webhook-queue.js';
import { createApiClient, type ResultOrder } from './api-client.js';
import { batchStatusView, type BatchStatusView } from '../queue/batches/batch-views.js';
import { CliError, EXIT, redactUrl } from './cli-error.js';
import { openDirectFleet } from './direct-fleet.js';
import type { FleetTarget } from './fleet-target.js';

/** A batch's status and results, through the API or straight from Redis. */
export interface BatchReader {
  /** Where it reads from, for messages. */
  readonly where: string;
  /** Throws a CliError with exit code 4 when there is no such batch. */
  status(id: string): Promise<BatchStatusView>;
  /** The results as NDJSON, one job result per line, streamed page by page. */
  results(id: string, order: ResultOrder): Promise<AsyncIterable<Uint8Array | string>>;
  close(): Promise<void>;
}

export async function openBatchReader(target: FleetTarget, env: Record<string, string | undefined> = process.env): Promise<BatchReader> {
  if (target.kind === 'api') {
    const client = createApiClient({ url: target.url, key: target.key });
    return {
      where: client.url,
      status: (id) => client.getBatch(id),
      results: async (id, order) => client.batchResults(id, order),
      close: () => Promise.resolve(),
    };
  }
  const fleet = await openDirectFleet(env);
  const where = `fleet "${fleet.settings.fleet.name}" at ${redactUrl(fleet.settings.redisUrl)}`;
  const read = async (id: string): Promise<BatchRecord> => {
    const batch = await fleet.batches.get(id);
    if (batch === undefined) throw new CliError(`no batch "${id}" in ${where}; check the id that "fleet enqueue" printed, and FLEET_NAME`, EXIT.notFound);
    return batch;
  };
  return {
    where,
    async status(id) {
      const batch = await read(id);
      if (batch.status !== 'open') return batchStatusView(batch);
      // Count jobs a worker finished but died before counting, as the API's status read does (and send the batch's webhook if that finishes it).
      const { redis, queues, batches, settings } = fleet;
      const onBatchFinished = async (finished: BatchRecord): Promise<void> => {
        const webhooks = createWebhookDispatcher({ fleetName: settings.fleet.name, connection: redis });
        const secret = settings.webhookSecret === undefined ? {} : { defaultSecret: settings.webhookSecret };
        await batchAnnouncer({ webhooks, ...secret, logger: pino({ level: 'silent' }) })(finished).finally(() => webhooks.close());
      };
      const settle = { afterMs: SETTLE_MISSED_AFTER_MS, now: Date.now, onBatchFinished };
      const states = await countPendingStates({ batches, queues, redis, fleetName: settings.fleet.name, settle }, id, batch.total);
      return batchStatusView(states !== undefined && states.settled > 0 ? await read(id) : batch);
    },
    async results(id, order) {
      return batchResultLines({ batches: fleet.batches, read: (jobId) => fleet.read(jobId) }, await read(id), order);
    },
    close: () => fleet.close(),
  };
}
