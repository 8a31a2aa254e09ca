import { deliverySecret } from '../../core/webhooks/sign-webhook.js';
import { clientId } from '../../core/job/tenant-scoped-id.js';
import type { Logger } from 'pino';
import type { FinishedJob, JobObserver } from '../job-observer.js';
import type { BatchRecord, BatchStore } from './batch-store.js';
import { INTERRUPTED_MESSAGE } from './batch-views.js';

/** What a finished job adds to its batch: its state, the tier that answered it (or it ended on), and what its attempts cost. */
export function batchEntryOf(job: FinishedJob): Parameters<BatchStore['markFinished']>[1] {
  const costUsd = job.outcome?.attempts.reduce((sum, a) => sum + a.costUsd, 0) ?? job.data.attempts.reduce((sum, a) => sum + a.costUsd, 0);
  const tier = job.outcome?.answer.tier ?? job.data.attempts.at(-1)?.tier ?? job.data.route.tier;
  return { id: job.data.id, state: job.state, tier, costUsd, finishedAt: job.finishedAt };
}

/** What a batch's webhook tells: it finished, or its submission stopped part-way (it will not finish until sent again). */
export type BatchEvent = 'batch.completed' | 'batch.interrupted';

/** Where batch webhooks go; the webhook dispatcher implements it. */
export interface BatchWebhookSink {
  enqueue(delivery: { id: string; url: string; secret: string; event: BatchEvent; payload: unknown }): Promise<void>;
}

export interface BatchAnnouncerDeps {
  webhooks?: BatchWebhookSink;
  defaultSecret?: string;
  logger: Logger;
}

/**
 * Sends a finished batch's `batch.completed` webhook, when it has one; with
 * `batch.interrupted`, that of a batch whose submission stopped part-way
 * (status `interrupted`, with what to do about it).
 */
export function batchAnnouncer(deps: BatchAnnouncerDeps, event: BatchEvent = 'batch.completed'): (batch: BatchRecord, lapsedAt?: number) => Promise<void> {
  const interrupted = event === 'batch.interrupted';
  return async (batch, lapsedAt) => {
    const counts = { batchId: batch.id, completed: batch.completed, failed: batch.failed };
    if (interrupted) deps.logger.warn(counts, `batch interrupted: ${INTERRUPTED_MESSAGE}`);
    else deps.logger.info(counts, 'batch finished');
    if (batch.webhook === undefined || deps.webhooks === undefined) return;
    const secret = deliverySecret(batch.webhook.secret, deps.defaultSecret, batch.tenant);
    if (secret === undefined) {
      deps.logger.warn({ batchId: batch.id }, 'batch webhook skipped: no secret (set FLEET_WEBHOOK_SECRET)');
      return;
    }
    const payload: Omit<Partial<BatchRecord>, 'status'> & { status?: string; message?: string } = {
      ...batch,
      id: clientId(batch.tenant, batch.id),
      ...(interrupted ? { status: 'interrupted', message: INTERRUPTED_MESSAGE } : {}),
    };
    delete payload.webhook;
    delete payload.submitting;
    // The creation time tells a batch from a later one under the same id; when its submissions lapsed, one stop from
    // the next (a batch carried on may stop again, and is told again).
    const id = `batch-${batch.id}-${String(batch.createdAt)}${interrupted ? `-interrupted-${String(lapsedAt ?? Date.now())}` : ''}`;
    await deps.webhooks.enqueue({ id, url: batch.webhook.url, secret, event, payload });
  };
}

/** Counts one finished job into its batch (once, whoever asks), and announces the batch when that finishes it; whether the job was new to it. */
export async function countIntoBatch(
  batches: Pick<BatchStore, 'markFinished'>,
  announce: ((batch: BatchRecord) => Promise<void>) | undefined,
  batchId: string,
  entry: Parameters<BatchStore['markFinished']>[1],
): Promise<boolean> {
  const report = await batches.markFinished(batchId, entry);
  if (report.batchFinished && report.batch !== undefined) await announce?.(report.batch);
  return report.counted;
}

/** Counts each finished job into its batch once, and announces a finished batch on its webhook. */
export function createBatchObserver(deps: BatchAnnouncerDeps & { batches: BatchStore }): JobObserver {
  const announce = batchAnnouncer(deps);

  return {
    name: 'batches',
    async finished(job) {
      const batchId = job.data.batchId;
      if (batchId === undefined) return;
      await countIntoBatch(deps.batches, announce, batchId, batchEntryOf(job));
    },
  };
}
