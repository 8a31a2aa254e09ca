import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { webhookSchema } from '../../core/job/job-spec.js';
import { clientId, fleetIdsOf } from '../../core/job/tenant-scoped-id.js';
import type { BatchRecord } from '../../queue/batches/batch-store.js';
import { batchResultLines } from '../../queue/batches/batch-result-lines.js';
import { countPendingStates, SETTLE_MISSED_AFTER_MS, type PendingStates } from '../../queue/batches/count-pending-states.js';
import { batchReceiptView, batchStatusView, type BatchReceiptView, type BatchStatusView } from '../../queue/batches/batch-views.js';
import { BatchConflictError, BatchTooLargeError, submitBatch, type BatchReceipt } from '../../queue/batches/submit-batch.js';
import { ApiError } from '../api-error.js';
import type { ApiDeps } from '../api-deps.js';
import { defaultsFromQuery, ndjsonDocuments } from './batch-input.js';

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/ndjson'];
const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

function links(id: string): { self: string; results: string } {
  const self = `/v1/batches/${encodeURIComponent(id)}`;
  return { self, results: `${self}/results` };
}

/** A batch as its tenant sees it: under the id it gave. */
function batchView(batch: BatchRecord): BatchStatusView & { links: ReturnType<typeof links> } {
  const id = clientId(batch.tenant, batch.id);
  return { ...batchStatusView(batch), id, links: links(id) };
}

function receiptView(receipt: BatchReceipt, tenant: string): BatchReceiptView & { links: ReturnType<typeof links> } {
  const batchId = clientId(tenant, receipt.batchId);
  return { ...batchReceiptView(receipt), batchId, links: links(batchId) };
}

interface BatchEnvelope {
  id?: unknown;
  defaults?: unknown;
  documents?: unknown;
  allOrNothing?: unknown;
  webhook?: unknown;
}

export function registerBatchRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // NDJSON bodies reach the route as a stream and are parsed line by line.
  app.addContentTypeParser(NDJSON_TYPES, (_request, payload, done) => done(null, payload));

  app.post(
    '/v1/batches',
    {
      // A JSON body is parsed whole: this limit. An NDJSON one streams, within batchBodyLimitBytes (batch-input.ts).
      bodyLimit: deps.limits.batchJsonBodyLimitBytes,
      schema: {
        summary: 'Submit a batch of documents',
        description:
          'A JSON array of documents (strings or job objects), a JSON object `{ id, defaults, documents, allOrNothing, webhook }`, or an NDJSON stream (one document per line; defaults as query parameters). Every document is validated before any is enqueued.',
        tags: ['batches'],
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, string | string[] | undefined>;
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      let envelope: BatchEnvelope;
      let documents: AsyncIterable<unknown> | Iterable<unknown>;
      if (NDJSON_TYPES.includes(contentType)) {
        envelope = {};
        documents = ndjsonDocuments(request.body as Readable, deps.limits.batchBodyLimitBytes);
      } else if (Array.isArray(request.body)) {
        envelope = {};
        documents = request.body;
      } else if (typeof request.body === 'object' && request.body !== null) {
        envelope = request.body;
        if (!Array.isArray(envelope.documents)) throw new ApiError(400, 'invalid_body', 'expected "documents": an array', 'documents');
        documents = envelope.documents;
      } else {
        throw new ApiError(400, 'invalid_body', 'expected a JSON array of documents, an object with "documents", or NDJSON');
      }

      const defaults = { ...defaultsFromQuery(query), ...(typeof envelope.defaults === 'object' && envelope.defaults !== null ? (envelope.defaults as Record<string, unknown>) : {}) };
      const headerId = request.headers['idempotency-key'];
      const batchId = typeof envelope.id === 'string' ? envelope.id : typeof headerId === 'string' && headerId !== '' ? headerId : typeof query.id === 'string' ? query.id : undefined;
      if (batchId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$/.test(batchId)) {
        throw new ApiError(400, 'invalid_request', 'a batch id is 1-101 letters, digits, "_", "." or "-"', 'id');
      }
      let webhook;
      if (envelope.webhook !== undefined) {
        const parsed = webhookSchema.safeParse(envelope.webhook);
        if (!parsed.success) throw new ApiError(400, 'invalid_request', parsed.error.issues[0]?.message ?? 'bad webhook', 'webhook');
        webhook = parsed.data;
      }
      const allOrNothing = envelope.allOrNothing === true || query.allOrNothing === 'true';

      let receipt: BatchReceipt;
      try {
        receipt = await submitBatch(
          { producer: deps.producer, batches: deps.batches, ...(deps.onBatchFinished === undefined ? {} : { onBatchFinished: deps.onBatchFinished }) },
          {
            tenant: request.tenant,
            ...(batchId === undefined ? {} : { batchId }),
            defaults,
            documents,
            allOrNothing,
            ...(webhook === undefined ? {} : { webhook }),
            maxDocuments: deps.limits.batchMaxDocuments,
          },
        );
      } catch (error) {
        if (error instanceof BatchConflictError) throw new ApiError(409, 'conflict', error.message, 'id');
        if (error instanceof BatchTooLargeError) throw new ApiError(413, 'too_many_documents', error.message, 'documents');
        throw error;
      }
      if (!receipt.enqueued) {
        return reply.status(422).send({
          code: 'batch_refused',
          message:
            receipt.accepted === 0 ? `every document was refused (${receipt.refusedCount}); nothing enqueued` : `${receipt.refusedCount} documents refused; nothing enqueued (allOrNothing)`,
          field: receipt.refused[0]?.problems[0]?.field,
          ...receiptView(receipt, request.tenant),
        });
      }
      const view = receiptView(receipt, request.tenant);
      return reply.status(202).header('location', view.links.self).send(view);
    },
  );

  const withStates = (batch: BatchRecord, states: PendingStates) => {
    const view = batchView(batch);
    return { ...view, counts: { ...view.counts, ...states } };
  };

  /** A tenant's batch by the id it gave (a batch created before ids were scoped per tenant: by its bare id); another tenant's is not found. */
  const ownBatch = async (tenant: string, id: string): Promise<BatchRecord> => {
    for (const fleetId of fleetIdsOf(tenant, id)) {
      const batch = await deps.batches.get(fleetId);
      if (batch?.tenant === tenant) return batch;
    }
    throw new ApiError(404, 'not_found', `no batch "${id}"`, 'id');
  };

  app.get(
    '/v1/batches/:id',
    {
      schema: {
        summary: 'A batch: counts by state (completed, failed, pending; pending split into queued, active and escalated for batches up to 10,000 jobs), finished jobs per tier, cost so far, progress',
        tags: ['batches'],
        params: idParams,
      },
    },
    async (request) => {
      const id = (request.params as { id: string }).id;
      let batch = await ownBatch(request.tenant, id);
      if (batchView(batch).counts.pending === 0) return withStates(batch, { queued: 0, active: 0, escalated: 0 });
      const settle = { afterMs: deps.settleMissedAfterMs ?? SETTLE_MISSED_AFTER_MS, now: Date.now, onBatchFinished: deps.onBatchFinished };
      const states = await countPendingStates({ batches: deps.batches, queues: deps.queues, redis: deps.redis, fleetName: deps.fleet.name, settle }, batch.id, batch.total);
      if (states === undefined) return batchView(batch);
      // Jobs whose worker died before counting them were counted just now: read the batch again.
      if (states.settled > 0) batch = await ownBatch(request.tenant, id);
      return withStates(batch, { queued: states.queued, active: states.active, escalated: states.escalated });
    },
  );

  app.get(
    '/v1/batches/:id/results',
    {
      schema: {
        summary: 'Results of a batch as NDJSON, in input order or as they finished',
        tags: ['batches'],
        params: idParams,
        querystring: { type: 'object', properties: { order: { type: 'string', enum: ['input', 'finished'], default: 'input' } } },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const order = (request.query as { order?: 'input' | 'finished' }).order ?? 'input';
      const batch = await ownBatch(request.tenant, id);
      const lines = batchResultLines({ batches: deps.batches, read: (jobId) => deps.readResult(jobId) }, batch, order);
      return reply.type('application/x-ndjson').send(Readable.from(lines));
    },
  );
}
