import { BatchConflictError, submitBatch, UnparsableDocument } from '../queue/batches/submit-batch.js';
import type { ApiClient, BatchDefaults } from './api-client.js';
import { batchReceiptView, type BatchReceiptView } from '../queue/batches/batch-views.js';
import { CliError, EXIT } from './cli-error.js';
import type { DirectFleet } from './direct-fleet.js';
import { UnreadableLine, type SourceDocument } from './read-documents.js';

export interface BatchSubmitOptions {
  defaults: BatchDefaults;
  batchId?: string;
  allOrNothing: boolean;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The documents as an NDJSON body, in chunks of about 64 KiB, produced as
 * the upload consumes them. A line that was not JSON goes as it was, so the
 * API refuses it by position.
 */
export async function* ndjsonBody(documents: AsyncIterable<SourceDocument>): AsyncGenerator<Uint8Array> {
  let pending = '';
  for await (const document of documents) {
    pending += `${document instanceof UnreadableLine ? document.text : JSON.stringify(document)}\n`;
    if (pending.length >= CHUNK_BYTES) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending !== '') yield Buffer.from(pending, 'utf8');
}

/** Through the API: one streamed `POST /v1/batches`. */
export function submitViaApi(client: ApiClient, documents: AsyncIterable<SourceDocument>, options: BatchSubmitOptions): Promise<BatchReceiptView> {
  return client.submitBatch({
    defaults: options.defaults,
    ...(options.batchId === undefined ? {} : { batchId: options.batchId }),
    allOrNothing: options.allOrNothing,
    body: ndjsonBody(documents),
  });
}

/** Straight to Redis, with the same semantics as the API's route (submitBatch). */
export async function submitDirect(
  fleet: DirectFleet,
  documents: AsyncIterable<SourceDocument>,
  options: BatchSubmitOptions & { tenant: string },
): Promise<BatchReceiptView> {
  async function* mapped(): AsyncGenerator<unknown> {
    for await (const document of documents) {
      yield document instanceof UnreadableLine ? new UnparsableDocument(document.text.slice(0, 80)) : document;
    }
  }
  try {
    const receipt = await submitBatch(
      { producer: fleet.producer, batches: fleet.batches },
      {
        tenant: options.tenant,
        ...(options.batchId === undefined ? {} : { batchId: options.batchId }),
        defaults: { ...options.defaults },
        documents: mapped(),
        allOrNothing: options.allOrNothing,
      },
    );
    return batchReceiptView(receipt);
  } catch (error) {
    if (error instanceof BatchConflictError) throw new CliError(`${error.message} by another tenant; pick another --batch-id`, EXIT.failed);
    throw error;
  }
}
