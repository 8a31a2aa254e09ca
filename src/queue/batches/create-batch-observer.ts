import { deliverySecret } from '../../core/webhooks/sign-webhook.js';
import { clientId } from '../../core/job/tenant-scoped-id.js';
import type { Logger } from 'pino';
import type { FinishedJob, JobObserver } from '../job-observer.js';
import type { BatchRecord, BatchStore } from './batch-store.js';

/** What a finished job adds to its batch: its state, the tier that answered it (or it ended on), and what its attempts cost. */
export function batchEntryOf(job: FinishedJob): Parameters<BatchStore['markFinished']>[1] {
  const costUsd = job.outcome?.attempts.reduce((sum, a) => sum + a.costUsd, 0) ?? job.data.attempts.reduce((sum, a) => sum + a.costUsd, 0);
  const tier = job.outcome?.answer.tier ?? job.data.attempts.at(-1)?.tier ?? job.data.route.tier;
  return { id: job.data.id, state: job.state, tier, costUsd, finishedAt: job.finishedAt };
}

/** Where batch completion webhooks go; the webhook dispatcher implements it. */
export interface BatchWebhookSink {
  enqueue(delivery: { id: string; url: string; secret: string; event: 'batch.completed'; payload: unknown }): Promise<void>;
}

export interface BatchAnnouncerDeps {
  webhooks?: BatchWebhookSink;
  defaultSecret?: string;
  logger: Logger;
}

/** Sends a finished batch's `batch.completed` webhook, when it has one. */
export function batchAnnouncer(deps: BatchAnnouncerDeps): (batch: BatchRecord) => Promise<void> {
  return async (batch) => {
    deps.logger.info({ batchId: batch.id, completed: batch.completed, failed: batch.failed }, 'batch finished');
    if (batch.webhook === undefined || deps.webhooks === undefined) return;
    const secret = deliverySecret(batch.webhook.secret, deps.defaultSecret, batch.tenant);
    if (secret === undefined) {
      deps.logger.warn({ batchId: batch.id }, 'batch webhook skipped: no secret (set FLEET_WEBHOOK_SECRET)');
      return;
    }
    const payload: Partial<BatchRecord> = { ...batch, id: clientId(batch.tenant, batch.id) };
    delete payload.webhook;
    delete payload.submitting;
    // The creation time tells a batch from a later one under the same id.
    await deps.webhooks.enqueue({ id: `batch-${batch.id}-${String(batch.createdAt)}`, url: batch.webhook.url, secret, event: 'batch.completed', payload });
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
