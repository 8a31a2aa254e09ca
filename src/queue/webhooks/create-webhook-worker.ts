import { hostname } from 'node:os';
import { createGuardedFetch, privateTargetRefusal, refusePrivateAddressTarget } from './webhook-target-guard.js';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { signWebhook } from '../../core/webhooks/sign-webhook.js';
import { fleetPrefix } from '../queue-names.js';
import {
  WEBHOOK_BASE_DELAY_MS,
  WEBHOOK_QUEUE_NAME,
  type WebhookDelivery,
  type WebhookDeliveryResult,
} from './webhook-queue.js';

export interface WebhookWorkerDeps {
  fleetName: string;
  /** A connection with `maxRetriesPerRequest: null`, as BullMQ workers need. */
  connection: Redis;
  logger: Logger;
  /** The HTTP client; by default one whose connections never reach a private address (unless `allowPrivateTargets`). */
  fetch?: typeof fetch;
  /**
   * Whether webhook URLs may point at loopback, private or link-local
   * addresses (FLEET_WEBHOOK_ALLOW_PRIVATE): off by default, so a tenant
   * cannot make the workers POST into the fleet's own network.
   */
  allowPrivateTargets?: boolean;
  /** Time limit of one call, response headers included; 10 s by default. */
  timeoutMs?: number;
  /** First retry's delay, replacing the one on the delivery (1 s); each next retry doubles it. */
  backoffDelayMs?: number;
  /** Deliveries in flight at once in this process; 16 by default. */
  concurrency?: number;
  /** The fleet's lock and stalled-check timings (`workers` in the fleet file), so a delivery its worker died in comes back as soon as a job would; BullMQ's defaults when unset. */
  timings?: { lockDurationMs: number; stalledIntervalMs: number };
}

export type WebhookWorker = Worker<WebhookDelivery, WebhookDeliveryResult>;

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 15 * 60_000;
/** Share of each backoff that is random, as BullMQ's own `jitter`. */
const JITTER = 0.5;

/** Statuses worth another try: the receiver is busy, rate-limiting or broken for now. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Only the origin is logged: paths and queries of webhook URLs may carry tokens. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  if (error instanceof Error) {
    const cause: unknown = error.cause;
    const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    return code ?? (cause instanceof Error ? cause.message : error.message);
  }
  return String(error);
}

/**
 * Exponential backoff with jitter: about `base * 2^(retry)`, the upper half
 * of that range at random, capped at 15 minutes.
 */
export function webhookBackoffMs(attemptsMade: number, baseDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(ceiling * (1 - JITTER * random()));
}

/**
 * The worker of the fleet's `webhooks` queue: POSTs each delivery's payload as
 * JSON, signed with the delivery's secret. 2xx is done; 408, 429, 5xx,
 * network errors and timeouts are retried with backoff; any other status
 * fails the delivery at once (`UnrecoverableError`). Redirects are not followed,
 * and a target that is or resolves to a private address is refused unless
 * allowed (`allowPrivateTargets`).
 */
export function createWebhookWorker(deps: WebhookWorkerDeps): WebhookWorker {
  const allowPrivate = deps.allowPrivateTargets === true;
  const guarded = deps.fetch === undefined && !allowPrivate ? createGuardedFetch() : undefined;
  const doFetch = deps.fetch ?? guarded?.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const log = deps.logger.child({ component: 'webhooks' });

  const deliver = async (job: Job<WebhookDelivery, WebhookDeliveryResult>): Promise<WebhookDeliveryResult> => {
    const { id, url, secret, event, payload } = job.data;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new UnrecoverableError('webhook URL is not a valid URL');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new UnrecoverableError(`webhook URL must be http or https, not ${target.protocol}`);
    }
    if (!allowPrivate) {
      try {
        refusePrivateAddressTarget(target);
      } catch (error) {
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
    }
    const body = JSON.stringify(payload ?? null);
    const signature = signWebhook({ secret, timestamp: Math.floor(Date.now() / 1000), body });

    let response: Response;
    try {
      response = await doFetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'converse-fleet-webhooks',
          'x-fleet-event': event,
          'x-fleet-delivery': id,
          'x-fleet-signature': signature,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // A host name that resolved to a private address (the guarded call refused to connect): not worth a retry.
      const refused = privateTargetRefusal(error);
      if (refused !== undefined) throw new UnrecoverableError(refused.message);
      throw new Error(`webhook receiver unreachable: ${describeFetchError(error, timeoutMs)}`, { cause: error });
    }
    // The answer's body is not needed; dropping it frees the connection.
    await response.body?.cancel().catch(() => undefined);

    const { status } = response;
    if (status >= 200 && status < 300) return { status };
    if (isRetryableStatus(status)) throw new Error(`webhook receiver answered ${status}`);
    if (status >= 300 && status < 400) {
      throw new UnrecoverableError(`webhook receiver answered ${status} (a redirect; redirects are not followed)`);
    }
    throw new UnrecoverableError(`webhook receiver answered ${status}; not retried`);
  };

  const worker = new Worker<WebhookDelivery, WebhookDeliveryResult>(WEBHOOK_QUEUE_NAME, deliver, {
    connection: deps.connection,
    prefix: fleetPrefix(deps.fleetName),
    concurrency: deps.concurrency ?? 16,
    ...(deps.timings === undefined ? {} : { lockDuration: deps.timings.lockDurationMs, stalledInterval: deps.timings.stalledIntervalMs }),
    name: `${hostname()}:${process.pid}:webhooks`,
    settings: {
      backoffStrategy: (attemptsMade, _type, _error, job) => {
        const backoff = job?.opts.backoff;
        const jobDelay = typeof backoff === 'object' ? backoff.delay : backoff;
        return webhookBackoffMs(attemptsMade, deps.backoffDelayMs ?? jobDelay ?? WEBHOOK_BASE_DELAY_MS);
      },
    },
  });

  worker.on('completed', (job, result) => {
    log.debug(
      { deliveryId: job.data.id, event: job.data.event, origin: originOf(job.data.url), status: result.status, attempt: job.attemptsMade },
      'webhook delivered',
    );
  });
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    const final = job.finishedOn !== undefined && job.finishedOn !== null;
    log.warn(
      {
        deliveryId: job.data.id,
        event: job.data.event,
        origin: originOf(job.data.url),
        attempt: job.attemptsMade,
        attempts: job.opts.attempts,
        final,
        err: error.message,
      },
      final ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry',
    );
  });
  worker.on('error', (error) => log.error({ err: error }, 'webhook worker error'));
  worker.on('closed', () => void guarded?.close().catch(() => undefined));
  return worker;
}
