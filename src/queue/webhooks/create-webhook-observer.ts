import type { Logger } from 'pino';
import type { JobResult } from '../../core/job/job-result.js';
import { deliverySecret } from '../../core/webhooks/sign-webhook.js';
import { clientId } from '../../core/job/tenant-scoped-id.js';
import { CANCEL_REASON } from '../cancel-job.js';
import type { FinishedJob, JobObserver } from '../job-observer.js';
import type { WebhookDispatcher } from './webhook-queue.js';

export interface WebhookObserverDeps {
  dispatcher: WebhookDispatcher;
  /** Deliveries of jobs that name no secret of their own are signed with the job's tenant's secret derived from it (FLEET_WEBHOOK_SECRET). */
  defaultSecret: string | undefined;
  /** The read model (`readJobResult`): what the client would see at GET /v1/jobs/:id. */
  readResult: (id: string) => Promise<JobResult | undefined>;
  logger: Logger;
}

/**
 * Delivery id of a job's one webhook: the same job never queues two, and a
 * later job under the same id (once its reservation expired) gets its own.
 */
export function jobDeliveryId(job: { id: string; enqueuedAt: number }): string {
  return `job-${job.id}-${String(job.enqueuedAt)}`;
}

/**
 * Queues a webhook when a client's job that asked for one finishes: event
 * `job.completed`, `job.failed` or `job.cancelled` (by its client), body the job's result as the read model
 * shows it. A job with no secret of its own, in a fleet with no default
 * secret, gets no webhook (unsigned deliveries are never sent).
 */
export function createWebhookObserver(deps: WebhookObserverDeps): JobObserver {
  const log = deps.logger.child({ component: 'webhooks' });
  return {
    name: 'webhooks',
    async finished(job: FinishedJob) {
      const { webhook, id } = job.data;
      if (webhook === undefined) return;
      const secret = deliverySecret(webhook.secret, deps.defaultSecret, job.data.tenant);
      if (secret === undefined || secret === '') {
        log.warn({ jobId: id }, 'webhook skipped: the job names no secret and the fleet has no default webhook secret');
        return;
      }
      const cancelled = job.state === 'failed' && job.failedReason === CANCEL_REASON;
      const payload: unknown =
        (await deps.readResult(id)) ??
        ({
          id: clientId(job.data.tenant, id),
          state: cancelled ? 'cancelled' : job.state,
          ...(job.state === 'failed' ? { error: { message: job.failedReason ?? 'failed' } } : {}),
        } satisfies Pick<JobResult, 'id' | 'state' | 'error'>);
      await deps.dispatcher.enqueue({
        id: jobDeliveryId(job.data),
        url: webhook.url,
        secret,
        event: job.state === 'completed' ? 'job.completed' : cancelled ? 'job.cancelled' : 'job.failed',
        payload,
      });
    },
  };
}
