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
    if (batch.webhook === undefined || deps.webhooks === undefined) return;
    const secret = batch.webhook.secret ?? deps.defaultSecret;
    if (secret === undefined) {
      deps.logger.warn({ batchId: batch.id }, 'batch webhook skipped: no secret (set FLEET_WEBHOOK_SECRET)');
      return;
    }
    const payload: Partial<BatchRecord> = { ...batch };
    delete payload.webhook;
    await deps.webhooks.enqueue({ id: `batch-${batch.id}`, url: batch.webhook.url, secret, event: 'batch.completed', payload });
  };
}

/** Counts each finished job into its batch once, and announces a finished batch on its webhook. */
export function createBatchObserver(deps: BatchAnnouncerDeps & { batches: BatchStore }): JobObserver {
  const announce = batchAnnouncer(deps);

  return {
    name: 'batches',
    async finished(job) {
      const batchId = job.data.batchId;
      if (batchId === undefined) return;
      const report = await deps.batches.markFinished(batchId, batchEntryOf(job));
      if (report.batchFinished && report.batch !== undefined) {
        deps.logger.info({ batchId, completed: report.batch.completed, failed: report.batch.failed }, 'batch finished');
        await announce(report.batch);
      }
    },
  };
}
