import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createBedrockClient, EMULATOR_CREDENTIALS } from '../../src/converse/create-bedrock-client.js';
import { createBedrockModelClient } from '../../src/converse/bedrock-model-client.js';
import type { JobResult } from '../../src/core/job/job-result.js';
import { priceTable } from '../../src/core/price-table.js';
import { tenantWebhookSecret, verifyWebhook } from '../../src/core/webhooks/sign-webhook.js';
import { CANCEL_REASON } from '../../src/queue/cancel-job.js';
import { createRedisConnection } from '../../src/queue/create-redis-connection.js';
import { createTierWorker, type TierWorker } from '../../src/queue/create-tier-worker.js';
import type { FinishedJob } from '../../src/queue/job-observer.js';
import { jobIndexKey } from '../../src/queue/queue-names.js';
import { removeFleetKeys } from '../../src/queue/remove-fleet-keys.js';
import type { TierJobData } from '../../src/queue/tier-job-data.js';
import { createWebhookObserver } from '../../src/queue/webhooks/create-webhook-observer.js';
import { createBatchStore } from '../../src/queue/batches/batch-store.js';
import { batchAnnouncer } from '../../src/queue/batches/create-batch-observer.js';
import { startInterruptedBatchSweep } from '../../src/queue/batches/interrupted-batch-sweep.js';
import { createWebhookWorker, type WebhookWorker } from '../../src/queue/webhooks/create-webhook-worker.js';
import { createGuardedFetch, isPrivateAddress } from '../../src/queue/webhooks/webhook-target-guard.js';
import {
  createWebhookDispatcher,
  createWebhookQueue,
  type WebhookDelivery,
  type WebhookDispatcher,
} from '../../src/queue/webhooks/webhook-queue.js';
import { REDIS_URL, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

const SECRET = 'whsec_test_0123456789abcdef';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Receiver {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/** A local webhook receiver; `answer` gets the 1-based number of each delivery and writes the response. */
async function startReceiver(answer: (n: number, res: ServerResponse) => void): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      answer(deliveries.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/fleet?token=in-the-query`,
    deliveries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

const status = (code: number) => (_n: number, res: ServerResponse) => res.writeHead(code).end();

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void raw.push(line) });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** The webhook queue and worker of a throwaway fleet name; `close()` removes its keys. */
/** A webhook worker of its own; its receivers run on this machine, so private targets are allowed unless `allowPrivateTargets: false`. */
async function startWebhooks(options: { logger?: Logger; backoffDelayMs?: number; timeoutMs?: number; allowPrivateTargets?: boolean } = {}) {
  const fleetName = `t-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(REDIS_URL);
  const connection = createRedisConnection(REDIS_URL, 'test-webhooks');
  const dispatcher = createWebhookDispatcher({ fleetName, connection: redis });
  const queue = createWebhookQueue({ fleetName, connection: redis });
  const worker = createWebhookWorker({
    fleetName,
    connection,
    logger: options.logger ?? pino({ level: 'silent' }),
    backoffDelayMs: options.backoffDelayMs ?? 40,
    allowPrivateTargets: options.allowPrivateTargets ?? true,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  await worker.waitUntilReady();
  return {
    fleetName,
    dispatcher,
    queue,
    worker,
    async close() {
      await worker.close(true);
      await dispatcher.close();
      await queue.close();
      await removeFleetKeys(redis, fleetName);
      redis.disconnect();
      connection.disconnect();
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function delivery(url: string, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: `job-${randomBytes(4).toString('hex')}`,
    url,
    secret: SECRET,
    event: 'job.completed',
    payload: { id: 'j1', state: 'completed', answer: { text: 'a private answer' } },
    ...overrides,
  };
}

describe('webhook deliveries', () => {
  it('POST the signed JSON payload with the event and delivery id', async () => {
    const receiver = await startReceiver(status(204));
    cleanups.push(() => receiver.close());
    const hooks = await startWebhooks();
    cleanups.push(() => hooks.close());

    const d = delivery(receiver.url);
    await hooks.dispatcher.enqueue(d);
    await until(() => receiver.deliveries.length === 1, 'the delivery');
    const [got] = receiver.deliveries;
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-fleet-event': 'job.completed',
      'x-fleet-delivery': d.id,
    });
    expect(JSON.parse(got?.body ?? '')).toEqual(d.payload);
    const header = got?.headers['x-fleet-signature'];
    expect(typeof header).toBe('string');
    expect(verifyWebhook({ secret: SECRET, header: header as string, body: got?.body ?? '', toleranceSeconds: 10 })).toBe(true);
    expect(verifyWebhook({ secret: 'wrong-secret-0123456789', header: header as string, body: got?.body ?? '' })).toBe(false);
    await until(async () => (await hooks.queue.getJobState(d.id)) === 'completed', 'the delivery job to complete');
  });

  it('deliver a delivery id once, however often it is enqueued', async () => {
    const receiver = await startReceiver(status(200));
    cleanups.push(() => receiver.close());
    const hooks = await startWebhooks();
    cleanups.push(() => hooks.close());

    const d = delivery(receiver.url);
    await hooks.dispatcher.enqueue(d);
    await until(async () => (await hooks.queue.getJobState(d.id)) === 'completed', 'the first delivery');
    await hooks.dispatcher.enqueue(d);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('retry 503s with backoff, each try freshly signed, and log failures without the payload', async () => {
    const receiver = await startReceiver((n, res) => res.writeHead(n <= 2 ? 503 : 200).end());
    cleanups.push(() => receiver.close());
    const log = capturingLogger();
    const hooks = await startWebhooks({ logger: log.logger, backoffDelayMs: 100 });
    cleanups.push(() => hooks.close());

    const d = delivery(receiver.url);
    await hooks.dispatcher.enqueue(d);
    await until(async () => (await hooks.queue.getJobState(d.id)) === 'completed', 'the delivery to succeed');

    expect(receiver.deliveries).toHaveLength(3);
    for (const got of receiver.deliveries) {
      expect(got.headers['x-fleet-delivery']).toBe(d.id);
      expect(verifyWebhook({ secret: SECRET, header: got.headers['x-fleet-signature'] as string, body: got.body })).toBe(true);
    }
    // Backoff: at least half the base delay (jitter), then half of twice it.
    const [first, second, third] = receiver.deliveries.map((x) => x.at);
    expect(second! - first!).toBeGreaterThanOrEqual(45);
    expect(third! - second!).toBeGreaterThanOrEqual(95);
    const job = await hooks.queue.getJob(d.id);
    expect(job?.attemptsMade).toBe(3);
    expect(job?.returnvalue).toEqual({ status: 200 });

    const warnings = log.lines().filter((line) => line.msg === 'webhook delivery failed; will retry');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ deliveryId: d.id, event: 'job.completed', origin: new URL(receiver.url).origin, err: 'webhook receiver answered 503' });
    const everything = JSON.stringify(log.lines());
    expect(everything).not.toContain('a private answer');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('in-the-query');
  });

  it('retry a receiver that does not answer in time', async () => {
    const receiver = await startReceiver((n, res) => {
      if (n > 1) res.writeHead(200).end(); // the first request is left hanging
    });
    cleanups.push(() => receiver.close());
    const hooks = await startWebhooks({ timeoutMs: 200 });
    cleanups.push(() => hooks.close());

    const d = delivery(receiver.url);
    await hooks.dispatcher.enqueue(d);
    await until(async () => (await hooks.queue.getJobState(d.id)) === 'completed', 'the retried delivery');
    expect(receiver.deliveries).toHaveLength(2);
  });

  it('retry an unreachable receiver', async () => {
    const receiver = await startReceiver(status(200));
    const url = receiver.url;
    await receiver.close(); // nothing listens on this port now
    const hooks = await startWebhooks();
    cleanups.push(() => hooks.close());

    const d = delivery(url);
    await hooks.dispatcher.enqueue(d);
    await until(async () => ((await hooks.queue.getJob(d.id))?.attemptsMade ?? 0) >= 2, 'a second attempt');
    const job = await hooks.queue.getJob(d.id);
    expect(job?.failedReason).toMatch(/unreachable: ECONNREFUSED/);
  });

  it('give up at once on a 400: exactly one delivery, failed naming the status', async () => {
    const receiver = await startReceiver(status(400));
    cleanups.push(() => receiver.close());
    const hooks = await startWebhooks();
    cleanups.push(() => hooks.close());

    const d = delivery(receiver.url, { event: 'job.failed' });
    await hooks.dispatcher.enqueue(d);
    await until(async () => (await hooks.queue.getJobState(d.id)) === 'failed', 'the delivery to fail');
    await new Promise((resolve) => setTimeout(resolve, 300)); // a retry would come within 40-80 ms
    expect(receiver.deliveries).toHaveLength(1);
    const job = await hooks.queue.getJob(d.id);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBe('webhook receiver answered 400; not retried');
  });

  it('refuse, by default, a target that is or resolves to a private address: no call, failed at once naming it', async () => {
    const receiver = await startReceiver(status(204));
    cleanups.push(() => receiver.close());
    const hooks = await startWebhooks({ allowPrivateTargets: false });
    cleanups.push(() => hooks.close());
    const port = new URL(receiver.url).port;
    const targets = [receiver.url, `http://localhost:${port}/hook`, 'http://169.254.169.254/latest/meta-data/', `http://[::ffff:127.0.0.1]:${port}/`, 'http://2130706433/'];
    const sent = targets.map((url) => delivery(url));
    for (const d of sent) await hooks.dispatcher.enqueue(d);
    for (const d of sent) await until(async () => (await hooks.queue.getJobState(d.id)) === 'failed', `the delivery to ${d.url} to fail`);
    expect(receiver.deliveries).toHaveLength(0);
    const reasons = await Promise.all(sent.map(async (d) => (await hooks.queue.getJob(d.id))?.failedReason));
    expect(reasons.map((r) => /^webhook target \S+ is a private address \([0-9a-f.:]+\); not called \(set FLEET_WEBHOOK_ALLOW_PRIVATE=true/.test(r ?? ''))).toEqual(
      targets.map(() => true),
    );
    for (const d of sent) expect((await hooks.queue.getJob(d.id))?.attemptsMade).toBe(1);
  });
});

describe('webhook targets', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['not an address', true],
    ['93.184.216.34', false],
    ['2606:4700:4700::1111', false],
  ])('%s is private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it("are checked again when the call connects (a name that changes its answer after the check gets nowhere)", async () => {
    const receiver = await startReceiver(status(204));
    cleanups.push(() => receiver.close());
    const guarded = createGuardedFetch();
    cleanups.push(() => guarded.close());
    const call = guarded.fetch(`http://localhost:${new URL(receiver.url).port}/hook`, { method: 'POST', body: '{}' });
    await expect(call).rejects.toMatchObject({ cause: { name: 'PrivateWebhookTargetError' } });
    expect(receiver.deliveries).toHaveLength(0);
  });
});

describe('the webhook observer', () => {
  const silent = pino({ level: 'silent' });
  const finished = (data: Partial<TierJobData>, rest: Partial<FinishedJob> = {}): FinishedJob => ({
    data: { id: 'j1', tenant: 'default', enqueuedAt: 1_700_000_000_000, ...data } as TierJobData,
    state: 'completed',
    finishedAt: Date.now(),
    ...rest,
  });
  const fakeDispatcher = (): WebhookDispatcher & { sent: WebhookDelivery[] } => {
    const sent: WebhookDelivery[] = [];
    return { sent, enqueue: (d) => Promise.resolve(void sent.push(d)), close: () => Promise.resolve() };
  };
  const result = { id: 'j1', state: 'completed' } as JobResult;

  it('ignores jobs that asked for no webhook', async () => {
    const dispatcher = fakeDispatcher();
    const observer = createWebhookObserver({ dispatcher, defaultSecret: SECRET, readResult: () => Promise.resolve(result), logger: silent });
    await observer.finished(finished({}));
    expect(dispatcher.sent).toEqual([]);
  });

  it("uses the job's secret, else the default; with neither it warns and skips", async () => {
    const dispatcher = fakeDispatcher();
    const log = capturingLogger();
    const readResult = () => Promise.resolve(result);
    const own = createWebhookObserver({ dispatcher, defaultSecret: 'default-secret-0123456789', readResult, logger: silent });
    await own.finished(finished({ webhook: { url: 'http://h/1', secret: SECRET } }));
    await own.finished(finished({ id: 'j2', webhook: { url: 'http://h/2' } }));
    const none = createWebhookObserver({ dispatcher, defaultSecret: undefined, readResult, logger: log.logger });
    await none.finished(finished({ id: 'j3', webhook: { url: 'http://h/3' } }));

    expect(dispatcher.sent.map((d) => [d.id, d.secret, d.event])).toEqual([
      ['job-j1-1700000000000', SECRET, 'job.completed'],
      // No secret of its own: its tenant's, derived from the fleet's default.
      ['job-j2-1700000000000', tenantWebhookSecret('default-secret-0123456789', 'default'), 'job.completed'],
    ]);
    expect(log.lines()).toEqual([expect.objectContaining({ level: 40, jobId: 'j3' })]);
  });

  it('falls back to id, state and error when the read model has no result', async () => {
    const dispatcher = fakeDispatcher();
    const observer = createWebhookObserver({ dispatcher, defaultSecret: SECRET, readResult: () => Promise.resolve(undefined), logger: silent });
    await observer.finished(finished({ webhook: { url: 'http://h/1' } }, { state: 'failed', failedReason: 'every model failed' }));
    expect(dispatcher.sent[0]).toMatchObject({
      event: 'job.failed',
      payload: { id: 'j1', state: 'failed', error: { message: 'every model failed' } },
    });
  });

  it("shows a tenant's job under the id its tenant gave, not its fleet-wide id", async () => {
    const dispatcher = fakeDispatcher();
    const observer = createWebhookObserver({ dispatcher, defaultSecret: SECRET, readResult: () => Promise.resolve(undefined), logger: silent });
    await observer.finished(finished({ id: 'acme/j1', tenant: 'acme', webhook: { url: 'http://h/1' } }, { state: 'failed', failedReason: 'every model failed' }));
    expect(dispatcher.sent[0]).toMatchObject({ event: 'job.failed', payload: { id: 'j1', state: 'failed' } });
  });

  it('names a job its client cancelled while it ran job.cancelled, not job.failed', async () => {
    const dispatcher = fakeDispatcher();
    const observer = createWebhookObserver({ dispatcher, defaultSecret: SECRET, readResult: () => Promise.resolve(undefined), logger: silent });
    await observer.finished(finished({ webhook: { url: 'http://h/1' } }, { state: 'failed', failedReason: CANCEL_REASON }));
    expect(dispatcher.sent[0]).toMatchObject({ event: 'job.cancelled', payload: { id: 'j1', state: 'cancelled' } });
  });
});

describe('the batch announcer', () => {
  it("sends a finished batch's webhook under the id its tenant gave, signed with the tenant's secret, without the webhook itself", async () => {
    const sent: { id: string; secret: string; event: string; payload: unknown }[] = [];
    const announce = batchAnnouncer({ webhooks: { enqueue: (d) => Promise.resolve(void sent.push(d)) }, defaultSecret: 'default-secret-0123456789', logger: pino({ level: 'silent' }) });
    const batch = {
      id: 'acme/nightly-7', tenant: 'acme', status: 'finished' as const, createdAt: 1_700_000_000_000, submitting: false, finishedAt: 1_700_000_060_000,
      total: 2, refused: 0, completed: 2, failed: 0, costUsd: 0.01, byTier: { small: 2 }, webhook: { url: 'http://h/batch' },
    };
    await announce(batch);
    expect(sent).toEqual([
      {
        id: 'batch-acme/nightly-7-1700000000000',
        url: 'http://h/batch',
        secret: tenantWebhookSecret('default-secret-0123456789', 'acme'),
        event: 'batch.completed',
        payload: { id: 'nightly-7', tenant: 'acme', status: 'finished', createdAt: 1_700_000_000_000, finishedAt: 1_700_000_060_000, total: 2, refused: 0, completed: 2, failed: 0, costUsd: 0.01, byTier: { small: 2 } },
      },
    ]);
  });
});

/** A batch store of a throwaway fleet name; its keys are removed after the test. */
function throwawayBatchStore(options: { submissionMarkMs: number; interruptionLeaseMs?: number }) {
  const redis = new Redis(REDIS_URL);
  const fleetName = `t-${randomBytes(4).toString('hex')}`;
  cleanups.push(async () => {
    await removeFleetKeys(redis, fleetName);
    redis.disconnect();
  });
  return createBatchStore({ redis, fleetName, keepSeconds: 3_600, ...options });
}

describe('interrupted batches', () => {
  it("tell the batch's receiver once that its submission stopped part-way, again when the carried-on one stops too, and never once it opened", async () => {
    const receiver = await startReceiver(status(200));
    cleanups.push(() => receiver.close());
    const hooks = await startWebhooks();
    cleanups.push(() => hooks.close());
    const redis = new Redis(REDIS_URL);
    cleanups.push(() => Promise.resolve(redis.disconnect()));
    // A submission's mark lasts 300 ms here (two minutes in production); the sweep looks every 30 ms (15 s).
    const batches = createBatchStore({ redis, fleetName: hooks.fleetName, keepSeconds: 3_600, submissionMarkMs: 300 });
    const webhook = { url: receiver.url, secret: SECRET };
    await batches.create({ id: 'acme/stops-1', tenant: 'acme', webhook });
    await batches.create({ id: 'acme/opens-1', tenant: 'acme', webhook });
    await batches.open('acme/opens-1', { total: 3, refused: 0 });
    const silent = pino({ level: 'silent' });
    const stop = startInterruptedBatchSweep({ batches, announce: batchAnnouncer({ webhooks: hooks.dispatcher, logger: silent }, 'batch.interrupted'), log: silent, intervalMs: 30 });
    cleanups.push(() => Promise.resolve(stop()));

    // Not while its submission is alive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.deliveries).toHaveLength(0);
    await until(() => receiver.deliveries.length >= 1, 'the interrupted batch webhook');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.deliveries).toHaveLength(1);
    const [first] = receiver.deliveries;
    expect(first?.headers['x-fleet-event']).toBe('batch.interrupted');
    expect(verifyWebhook({ secret: SECRET, header: first?.headers['x-fleet-signature'] as string, body: first?.body ?? '' })).toBe(true);
    expect(JSON.parse(first?.body ?? '')).toMatchObject({
      id: 'stops-1',
      tenant: 'acme',
      status: 'interrupted',
      message: expect.stringContaining('send the same documents again under this batch id') as unknown,
    });

    // Carried on by two submissions at once (a client retrying too early): one fails and ends; the other is alive, so
    // nothing is told until it stops too. Then it is told again, as another delivery.
    expect(await batches.create({ id: 'acme/stops-1', tenant: 'acme', webhook, submission: 'second' })).toBe(false);
    expect(await batches.create({ id: 'acme/stops-1', tenant: 'acme', webhook, submission: 'third' })).toBe(false);
    await batches.endSubmitting('acme/stops-1', 'third');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.deliveries).toHaveLength(1);
    expect((await batches.get('acme/stops-1'))?.submitting).toBe(true);
    await until(() => receiver.deliveries.length >= 2, 'the second interruption', 5_000);
    expect(receiver.deliveries[1]?.headers['x-fleet-delivery']).not.toBe(first?.headers['x-fleet-delivery']);

    // Carried on to the end of its documents: it opened, and nothing more is told.
    await batches.create({ id: 'acme/stops-1', tenant: 'acme', webhook, submission: 'fourth' });
    await batches.open('acme/stops-1', { total: 5, refused: 0 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.deliveries).toHaveLength(2);
    expect(receiver.deliveries.map((d) => (JSON.parse(d.body) as { id: string }).id)).toEqual(['stops-1', 'stops-1']);
  });

  it('tell at the next look of a batch that could not be told (Redis or the webhook queue failed), with the same delivery id', async () => {
    const batches = throwawayBatchStore({ submissionMarkMs: 50 });
    await batches.create({ id: 'acme/lost-1', tenant: 'acme', submission: 'only' });
    await batches.endSubmitting('acme/lost-1', 'only');
    const told: number[] = [];
    await expect(batches.takeInterrupted(() => Promise.reject(new Error('the webhook queue is down')))).rejects.toThrow('the webhook queue is down');
    await batches.takeInterrupted((_batch, lapsedAt) => Promise.resolve(void told.push(lapsedAt)));
    await batches.takeInterrupted((_batch, lapsedAt) => Promise.resolve(void told.push(lapsedAt)));
    expect(told).toHaveLength(1);
    const sent: string[] = [];
    const announce = batchAnnouncer({ webhooks: { enqueue: (d) => Promise.resolve(void sent.push(d.id)) }, defaultSecret: 'default-secret-0123456789', logger: pino({ level: 'silent' }) }, 'batch.interrupted');
    const batch = await batches.get('acme/lost-1');
    await announce({ ...batch!, webhook: { url: 'http://h/b' } }, told[0]);
    await announce({ ...batch!, webhook: { url: 'http://h/b' } }, told[0]);
    expect(new Set(sent)).toEqual(new Set([`batch-acme/lost-1-${String(batch!.createdAt)}-interrupted-${String(told[0])}`]));
  });

  it('leave a stop whose taker died before telling it to the next look once its lease is over, as the same stop', async () => {
    const batches = throwawayBatchStore({ submissionMarkMs: 50, interruptionLeaseMs: 200 });
    await batches.create({ id: 'acme/died-1', tenant: 'acme', submission: 'only' });
    await batches.endSubmitting('acme/died-1', 'only');
    const told: number[] = [];
    // This taker dies while telling (its tell never ends); another looks before the lease is over, then after.
    void batches.takeInterrupted((_batch, lapsedAt) => new Promise<void>(() => void told.push(lapsedAt)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await batches.takeInterrupted((_batch, lapsedAt) => Promise.resolve(void told.push(lapsedAt)));
    expect(told).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await batches.takeInterrupted((_batch, lapsedAt) => Promise.resolve(void told.push(lapsedAt)));
    expect(told).toHaveLength(2);
    expect(told[1]).toBe(told[0]);
    // Told: not again.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await batches.takeInterrupted((_batch, lapsedAt) => Promise.resolve(void told.push(lapsedAt)));
    expect(told).toHaveLength(2);
  });
});

describe('webhooks end to end', () => {
  let harness: FleetHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("send one signed job.completed delivery whose body is the job's result", async () => {
    const receiver = await startReceiver(status(200));
    cleanups.push(() => receiver.close());
    harness = await startFleetHarness({ workers: [] });
    const fleet = harness.fleet;
    const redis = new Redis(REDIS_URL);
    const connection = createRedisConnection(REDIS_URL, 'test-webhooks-e2e');
    const sdk: BedrockRuntimeClient = createBedrockClient({ region: 'us-east-1', endpoint: harness.emulator.url, credentials: EMULATOR_CREDENTIALS });
    const client = createBedrockModelClient({ client: sdk, priceOf: priceTable(fleet.tiers.flatMap((t) => t.models)) });
    const dispatcher = createWebhookDispatcher({ fleetName: fleet.name, connection: redis });
    const webhookWorker: WebhookWorker = createWebhookWorker({ fleetName: fleet.name, connection, logger: pino({ level: 'silent' }), backoffDelayMs: 40, allowPrivateTargets: true });
    const h = harness;
    const read = (id: string) => h.read(id);
    const observer = createWebhookObserver({ dispatcher, defaultSecret: undefined, readResult: read, logger: pino({ level: 'silent' }) });
    const tierWorkers: TierWorker[] = fleet.tiers.map((tier) =>
      createTierWorker({ fleet, tier, connection, client, breakers: harness!.breakers, queues: harness!.queues, logger: pino({ level: 'silent' }), observers: [observer] }),
    );
    // Stopped before the harness closes (the afterEach above runs first, these cleanups after: close them here, in order).
    const stop = async () => {
      await Promise.all(tierWorkers.map((w) => w.worker.close(true)));
      await webhookWorker.close(true);
      await dispatcher.close();
      redis.disconnect();
      connection.disconnect();
      sdk.destroy();
    };
    try {
      await Promise.all([...tierWorkers.map((w) => w.worker.waitUntilReady()), webhookWorker.waitUntilReady()]);
      const receipt = await harness.producer.enqueue({ id: 'hooked-1', prompt: 'What is 2 + 2?', webhook: { url: receiver.url, secret: SECRET } });
      expect(receipt.created).toBe(true);

      const result = await harness.waitFor('hooked-1');
      expect(result.state).toBe('completed');
      await until(() => receiver.deliveries.length >= 1, 'the webhook');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.deliveries).toHaveLength(1);

      const [got] = receiver.deliveries;
      expect(got?.headers).toMatchObject({ 'x-fleet-event': 'job.completed', 'x-fleet-delivery': `job-hooked-1-${String(result.enqueuedAt)}` });
      expect(verifyWebhook({ secret: SECRET, header: got?.headers['x-fleet-signature'] as string, body: got?.body ?? '' })).toBe(true);
      const body = JSON.parse(got?.body ?? '') as JobResult;
      expect(body).toEqual(await read('hooked-1'));
      expect(body).toMatchObject({ id: 'hooked-1', state: 'completed', tier: receipt.tier });
      expect(body.answer?.text).toEqual(expect.any(String));

      // The id's reservation expires with its result; a later job under it gets its own delivery.
      await redis.del(jobIndexKey(fleet.name, 'hooked-1'));
      expect(await harness.producer.enqueue({ id: 'hooked-1', prompt: 'What is 3 + 3?', webhook: { url: receiver.url, secret: SECRET } })).toMatchObject({ created: true });
      await until(() => receiver.deliveries.length >= 2, 'the second job\'s webhook');
      const again = await read('hooked-1');
      expect(again?.enqueuedAt).toBeGreaterThan(result.enqueuedAt);
      expect(receiver.deliveries[1]?.headers['x-fleet-delivery']).toBe(`job-hooked-1-${String(again?.enqueuedAt)}`);
    } finally {
      await stop();
    }
  });
});
