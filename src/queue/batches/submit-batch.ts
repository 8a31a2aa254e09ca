import { setImmediate } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { JobSpecError, type JobSpecProblem } from '../../core/job/job-spec-error.js';
import { scopedId } from '../../core/job/tenant-scoped-id.js';
import type { PreparedJob, Producer } from '../create-producer.js';
import type { BatchRecord, BatchStore } from './batch-store.js';

export interface BatchSubmission {
  tenant: string;
  /** The client's id (idempotency); generated when unset. */
  batchId?: string;
  /** Fields every document gets unless it sets its own (task, strategy, tags, tier, …). */
  defaults: Record<string, unknown>;
  /** Job objects, or plain strings taken as `document` text; read once, as they come. */
  documents: AsyncIterable<unknown> | Iterable<unknown>;
  /** Enqueue nothing when any document is refused. */
  allOrNothing: boolean;
  webhook?: BatchRecord['webhook'];
  /** The most documents one submission may hold (the API's limit); no limit when unset. */
  maxDocuments?: number;
}

export interface RefusedDocument {
  /** 0-based position in the input. */
  index: number;
  problems: JobSpecProblem[];
}

export interface BatchReceipt {
  /** The fleet-wide id (tenant-scoped-id.ts); `clientId()` gives the id the client gave. */
  batchId: string;
  /** False when the batch id existed already; nothing was enqueued again. */
  created: boolean;
  /** Documents enqueued (or that would have been, when all-or-nothing refused the batch). */
  accepted: number;
  /** Of the accepted, jobs whose id existed already (enqueued before, by another batch or on their own); not part of this batch. */
  duplicates: number;
  /** Of the duplicates, ids whose existing job was made from another request: the document changed since, and the old job stands. */
  changed: number;
  refusedCount: number;
  /** The first refused documents with their reasons (at most `MAX_REPORTED`). */
  refused: RefusedDocument[];
  enqueued: boolean;
  /** An earlier submission of the batch stopped part-way, and this one carried it on (`created` stays true: it enqueued). */
  resumed?: true;
  batch?: BatchRecord;
}

export const MAX_REPORTED_REFUSALS = 1_000;

export class BatchConflictError extends Error {
  override readonly name = 'BatchConflictError';
}

/** A submission over `maxDocuments`: nothing of it is enqueued. */
export class BatchTooLargeError extends Error {
  override readonly name = 'BatchTooLargeError';
}

/** Documents validated between two turns of the event loop, so one large batch does not stall every other request. */
const DOCUMENTS_PER_TURN = 500;

/** A line of a streamed batch that is not JSON; refused by position like any bad document. */
export class UnparsableDocument {
  constructor(readonly excerpt: string) {}
}

/** Fields that make one choice together: a document that sets one of them makes the whole choice itself. */
const JOINT_CHOICES: readonly (readonly string[])[] = [
  ['tier', 'model'],
  ['strategy', 'flow'],
];

/** The defaults without those of a choice the document made itself (its own model, say, beats a default tier). */
function withoutChoicesMade(defaults: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const kept = { ...defaults };
  for (const fields of JOINT_CHOICES) {
    if (fields.some((field) => own[field] !== undefined)) for (const field of fields) delete kept[field];
  }
  return kept;
}

function mergeDefaults(defaults: Record<string, unknown>, document: unknown): Record<string, unknown> {
  if (document instanceof UnparsableDocument) {
    throw new JobSpecError([{ field: '(document)', message: `not valid JSON: ${document.excerpt}` }]);
  }
  if (typeof document === 'string') return { ...defaults, document };
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new JobSpecError([{ field: '(document)', message: 'expected a job object or a string (the document text)' }]);
  }
  const own = document as Record<string, unknown>;
  const tags = { ...(defaults.tags as Record<string, unknown> | undefined), ...(own.tags as Record<string, unknown> | undefined) };
  return { ...withoutChoicesMade(defaults, own), ...own, ...(Object.keys(tags).length > 0 ? { tags } : {}) };
}

/**
 * Validates every document of a batch before enqueueing any: each one is
 * parsed as it streams in and kept once, as a prepared job. Refused ones
 * are reported by position with their fields; the rest are enqueued in
 * bulk, or none when the submission is all-or-nothing.
 */
export async function submitBatch(
  deps: { producer: Producer; batches: BatchStore; onBatchFinished?: (batch: BatchRecord) => Promise<void> },
  submission: BatchSubmission,
): Promise<BatchReceipt> {
  const givenId = submission.batchId ?? `b-${randomUUID()}`;
  // The tenant's own id: another tenant's batch under the same id is another batch.
  const batchId = scopedId(submission.tenant, givenId);
  // This submission's own mark: another submission of the batch (a client retrying too early) keeps its own.
  const token = randomUUID();
  const created = await deps.batches.create({
    id: batchId,
    tenant: submission.tenant,
    submission: token,
    ...(submission.webhook === undefined ? {} : { webhook: submission.webhook }),
  });
  if (!created) {
    const batch = await deps.batches.get(batchId);
    if (batch?.tenant !== submission.tenant) throw new BatchConflictError(`batch id "${batchId}" is in use`);
    // Still enqueueing: an earlier submission of it stopped part-way (its API process died, say), or is still running;
    // this one carries it on, and jobs it finds already enqueued for the batch stay the batch's.
    if (batch.status !== 'enqueueing') {
      return { batchId, created: false, accepted: batch.total, duplicates: 0, changed: 0, refusedCount: batch.refused, refused: [], enqueued: true, batch };
    }
  }

  // Alive while it makes progress (`create` marked it), so that one that stopped part-way shows as interrupted
  // (batch-views.ts): renewed while documents keep coming and while they are enqueued, not while a client that went
  // silent holds its body open.
  const progress = { documents: 0, enqueueing: false };
  let seen = -1;
  const renew = setInterval(() => {
    if (!progress.enqueueing && progress.documents === seen) return;
    seen = progress.documents;
    deps.batches.markSubmitting(batchId, token).catch(() => undefined);
  }, deps.batches.submissionRenewMs);
  try {
    return await submitDocuments(deps, submission, { batchId, givenId, created, progress });
  } finally {
    clearInterval(renew);
    // Done: an open batch no longer needs the mark, and one this submission could not carry on (its body failed, say)
    // shows as interrupted at once, not once the mark lapses.
    await deps.batches.endSubmitting(batchId, token).catch(() => undefined);
  }
}

async function submitDocuments(
  deps: { producer: Producer; batches: BatchStore; onBatchFinished?: (batch: BatchRecord) => Promise<void> },
  submission: BatchSubmission,
  context: { batchId: string; givenId: string; created: boolean; progress: { documents: number; enqueueing: boolean } },
): Promise<BatchReceipt> {
  const { batchId, givenId, created, progress } = context;
  const prepared: PreparedJob[] = [];
  const refused: RefusedDocument[] = [];
  let refusedCount = 0;
  try {
    for await (const document of submission.documents) {
      const at = progress.documents++;
      if (submission.maxDocuments !== undefined && at >= submission.maxDocuments) {
        throw new BatchTooLargeError(`the batch holds more than ${String(submission.maxDocuments)} documents; split it into smaller batches`);
      }
      if (at % DOCUMENTS_PER_TURN === DOCUMENTS_PER_TURN - 1) await setImmediate();
      try {
        const raw = mergeDefaults(submission.defaults, document);
        if ('tenant' in raw && raw.tenant !== submission.tenant) {
          throw new JobSpecError([{ field: 'tenant', message: "the batch's tenant is set by its submitter (the API key, or --tenant without the API); leave it out" }]);
        }
        const job = { ...raw, tenant: submission.tenant, batchId: givenId };
        prepared.push(deps.producer.prepare(job, () => `${givenId}-${at}`));
      } catch (error) {
        if (!(error instanceof JobSpecError)) throw error;
        refusedCount += 1;
        if (refused.length < MAX_REPORTED_REFUSALS) refused.push({ index: at, problems: error.problems });
      }
    }
  } catch (error) {
    // The body could not be read to its end (over the size limit, say): nothing was enqueued, and the id stays free for a retry
    // (unless an earlier submission enqueued some of it: then it stays, to be carried on).
    if (created) await deps.batches.discard(batchId);
    throw error;
  }

  const report = { batchId, created: true, accepted: prepared.length, refusedCount, refused, ...(created ? {} : { resumed: true as const }) };
  // Refused whole under allOrNothing, or every document refused.
  if ((submission.allOrNothing || prepared.length === 0) && refusedCount > 0) {
    // Refused whole: nothing was enqueued, so the corrected batch may come again under the same id.
    if (created) await deps.batches.discard(batchId);
    return { ...report, duplicates: 0, changed: 0, enqueued: false };
  }
  progress.enqueueing = true;
  const receipts = await deps.producer.enqueuePrepared(prepared);
  // A job whose id existed already belongs to whoever enqueued it first (another batch, or a single job):
  // this batch neither lists nor waits for it, so it can finish.
  const fresh = new Set(receipts.filter((r) => r.created || r.batchId === batchId).map((r) => r.id));
  const own = prepared.filter((job) => fresh.has(job.id)).map((job) => job.id);
  await deps.batches.setJobs(batchId, own);
  const { batch, batchFinished } = await deps.batches.open(batchId, { total: own.length, refused: refusedCount });
  // Every job finished while the batch was still being enqueued: nobody else will announce it.
  if (batchFinished && batch !== undefined) await deps.onBatchFinished?.(batch);
  const changed = receipts.filter((r) => !fresh.has(r.id) && r.differs === true).length;
  return { ...report, duplicates: prepared.length - own.length, changed, enqueued: true, ...(batch === undefined ? {} : { batch }) };
}
