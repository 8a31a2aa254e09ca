import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { fleetPrefix } from '../queue-names.js';

/** The fleet's one webhook queue, under the fleet's prefix like its tier queues. */
export const WEBHOOK_QUEUE_NAME = 'webhooks';

/**
 * Name of the backoff the webhook worker computes (exponential with jitter
 * from `backoff.delay`). A custom type rather than BullMQ's built-in
 * `exponential`, so a worker can shorten it (tests) without new job options.
 */
export const WEBHOOK_BACKOFF_TYPE = 'webhook-exponential';

/** First retry after about this long; each next one doubles. */
export const WEBHOOK_BASE_DELAY_MS = 1_000;
export const WEBHOOK_ATTEMPTS = 8;
const KEEP_SECONDS = 86_400;

export type WebhookEvent = 'job.completed' | 'job.failed' | 'job.cancelled' | 'batch.completed' | 'batch.interrupted';

/** One webhook call to make; the payload of a job in the `webhooks` queue. */
export interface WebhookDelivery {
  /** Idempotency key, used as the BullMQ job id and sent as `x-fleet-delivery`: the same id is delivered once. */
  id: string;
  url: string;
  /** Signs the body (HMAC-SHA256); kept in Redis with the delivery while it is retained. */
  secret: string;
  event: WebhookEvent;
  /** Sent as the JSON body. */
  payload: unknown;
}

/** What a delivered job returns. */
export interface WebhookDeliveryResult {
  status: number;
}

export type WebhookQueue = Queue<WebhookDelivery, WebhookDeliveryResult>;

export interface WebhookDispatcher {
  /** Queues one delivery; a delivery whose id is already queued or kept is not queued again. */
  enqueue(delivery: WebhookDelivery): Promise<void>;
  close(): Promise<void>;
}

export interface WebhookDispatcherDeps {
  fleetName: string;
  connection: Redis;
}

/** Retries, backoff and retention of every delivery. */
export const WEBHOOK_JOB_OPTIONS: JobsOptions = {
  attempts: WEBHOOK_ATTEMPTS,
  backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: WEBHOOK_BASE_DELAY_MS },
  removeOnComplete: { age: KEEP_SECONDS },
  removeOnFail: { age: KEEP_SECONDS },
};

export function createWebhookQueue({ fleetName, connection }: WebhookDispatcherDeps): WebhookQueue {
  return new Queue<WebhookDelivery, WebhookDeliveryResult>(WEBHOOK_QUEUE_NAME, {
    connection,
    prefix: fleetPrefix(fleetName),
    defaultJobOptions: WEBHOOK_JOB_OPTIONS,
  });
}

/** Producer side of webhooks: observers queue deliveries here, the webhook worker makes the calls. */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const queue = createWebhookQueue(deps);
  return {
    async enqueue(delivery) {
      await queue.add(delivery.event, delivery, { jobId: delivery.id });
    },
    close: () => queue.close(),
  };
}
