import { createApiClient, type ResultOrder } from './api-client.js';
import { batchStatusView, type BatchStatusView } from '../queue/batches/batch-views.js';
import { CliError, EXIT, redactUrl } from './cli-error.js';
import { openDirectFleet, type DirectFleet } from './direct-fleet.js';
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

const PAGE = 500;

/** Results from Redis, as the API's results route writes them: a page of ids, their results, one line each. */
async function* directResults(fleet: DirectFleet, id: string, order: ResultOrder): AsyncGenerator<string> {
  for (let offset = 0; ; offset += PAGE) {
    const ids = await fleet.batches.jobIds(id, order, offset, PAGE);
    if (ids.length === 0) return;
    const results = await Promise.all(ids.map((jobId) => fleet.read(jobId)));
    let text = '';
    for (const [i, result] of results.entries()) text += `${JSON.stringify(result ?? { id: ids[i], state: 'expired' })}\n`;
    yield text;
    if (ids.length < PAGE) return;
  }
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
  return {
    where,
    async status(id) {
      const batch = await fleet.batches.get(id);
      if (batch === undefined) {
        throw new CliError(`no batch "${id}" in ${where}; check the id that "fleet enqueue" printed, and FLEET_NAME`, EXIT.notFound);
      }
      return batchStatusView(batch);
    },
    results: (id, order) => Promise.resolve(directResults(fleet, id, order)),
    close: () => fleet.close(),
  };
}
