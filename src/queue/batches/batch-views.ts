import type { BatchRecord, BatchStatus } from './batch-store.js';
import type { BatchReceipt } from './submit-batch.js';

/**
 * `interrupted`: a submission stopped part-way; the documents it enqueued
 * run, but the batch has no total and never finishes until the client
 * sends it again under the same id, which carries it on.
 */
export type BatchViewStatus = BatchStatus | 'interrupted';

/** A batch as `GET /v1/batches/:id` shows it; the CLI builds the same from Redis in direct mode. */
export interface BatchStatusView {
  id: string;
  status: BatchViewStatus;
  /** What to do about an `interrupted` batch. */
  message?: string;
  createdAt: number;
  finishedAt?: number;
  total: number;
  refused: number;
  counts: { completed: number; failed: number; pending: number };
  byTier: Record<string, number>;
  progress: number;
  costUsd: number;
}

/** The answer to `POST /v1/batches` (202, or 422 `batch_refused` when all-or-nothing refused it). */
export interface BatchReceiptView {
  batchId: string;
  created: boolean;
  enqueued: boolean;
  accepted: number;
  duplicates: number;
  /** Of the duplicates, ids whose existing job was made from a different document: the old job stands. */
  changed: number;
  refusedCount: number;
  refused: { index: number; field?: string; message: string }[];
  /** This submission carried on an earlier one of the batch that stopped part-way. */
  resumed?: boolean;
}

/** What an `interrupted` batch's view and webhook say of it. */
export const INTERRUPTED_MESSAGE =
  'its submission stopped part-way (its client or API process went away); send the same documents again under this batch id to carry it on: each document is enqueued once';

export function batchStatusView(batch: BatchRecord): BatchStatusView {
  const done = batch.completed + batch.failed;
  // Still enqueueing, and no submission alive to finish it (its mark lapsed two minutes after its last renewal).
  const interrupted = batch.status === 'enqueueing' && batch.submitting === false;
  return {
    id: batch.id,
    status: interrupted ? 'interrupted' : batch.status,
    ...(interrupted
      ? { message: INTERRUPTED_MESSAGE }
      : {}),
    createdAt: batch.createdAt,
    ...(batch.finishedAt === undefined ? {} : { finishedAt: batch.finishedAt }),
    total: batch.total,
    refused: batch.refused,
    counts: { completed: batch.completed, failed: batch.failed, pending: Math.max(0, batch.total - done) },
    byTier: batch.byTier,
    progress: batch.total === 0 ? 1 : Math.round((done / batch.total) * 10_000) / 10_000,
    costUsd: batch.costUsd,
  };
}

export function batchReceiptView(receipt: BatchReceipt): BatchReceiptView {
  return {
    batchId: receipt.batchId,
    created: receipt.created,
    enqueued: receipt.enqueued,
    accepted: receipt.accepted,
    duplicates: receipt.duplicates,
    changed: receipt.changed,
    refusedCount: receipt.refusedCount,
    ...(receipt.resumed === true ? { resumed: true } : {}),
    refused: receipt.refused.map((r) => ({
      index: r.index,
      ...(r.problems[0] === undefined ? {} : { field: r.problems[0].field }),
      message: r.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
    })),
  };
}

/** Narrows an API answer to a batch status, or throws naming what is missing. */
export function asBatchStatusView(body: unknown): BatchStatusView {
  const b = body as Partial<BatchStatusView> | null;
  if (typeof b !== 'object' || b === null || typeof b.id !== 'string' || typeof b.status !== 'string' || typeof b.counts !== 'object') {
    throw new Error('the answer is not a batch (no id, status or counts)');
  }
  return { ...b, byTier: b.byTier ?? {}, refused: b.refused ?? 0, costUsd: b.costUsd ?? 0 } as BatchStatusView;
}

/** Narrows an API answer to a batch receipt. */
export function asBatchReceiptView(body: unknown): BatchReceiptView {
  const b = body as Partial<BatchReceiptView> | null;
  if (typeof b !== 'object' || b === null || typeof b.batchId !== 'string' || typeof b.accepted !== 'number') {
    throw new Error('the answer is not a batch receipt (no batchId or accepted)');
  }
  return { ...b, refused: b.refused ?? [], enqueued: b.enqueued ?? true, refusedCount: b.refusedCount ?? 0, duplicates: b.duplicates ?? 0, changed: b.changed ?? 0 } as BatchReceiptView;
}
