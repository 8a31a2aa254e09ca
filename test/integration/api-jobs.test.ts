import { afterEach, describe, expect, it, vi } from 'vitest';
import { tenantWebhookSecret } from '../../src/core/webhooks/sign-webhook.js';
import { auth, startApiHarness, type ApiHarness } from '../helpers/api-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';
import { jobIndexKey } from '../../src/queue/queue-names.js';

/** The fleet-wide id of tenant acme's job or batch. */
const acme = (id: string): string => scopedId('acme', id);

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function queuedJobs(harness: ApiHarness): Promise<number> {
  let total = 0;
  for (const queue of harness.fleet.queues.all()) total += Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
  return total;
}

describe('POST /v1/jobs and GET /v1/jobs/:id', () => {
  it('enqueue a job (202, id, status link) and poll it to completion', async () => {
    h = await startApiHarness();
    const posted = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { task: 'summarization', document: 'Queues decouple producers from consumers.' } });
    expect(posted.statusCode).toBe(202);
    const body = posted.json<{ id: string; created: boolean; tier: string; links: { self: string } }>();
    expect(body).toMatchObject({ created: true, tier: 'medium', links: { self: `/v1/jobs/${body.id}` } });
    expect(posted.headers.location).toBe(body.links.self);

    await h.fleet.waitFor(acme(body.id));
    const got = await h.app.inject({ method: 'GET', url: body.links.self, headers: auth('acme') });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: body.id, state: 'completed', tenant: 'acme', answer: { tier: 'medium' } });
  });

  it('make one job of retries with the same Idempotency-Key', async () => {
    h = await startApiHarness({ workers: [] });
    const send = () => h!.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...auth('acme'), 'idempotency-key': 'order-42' }, payload: { prompt: 'Hi.' } });
    const [first, second, third] = [await send(), await send(), await send()];
    expect(first.json()).toMatchObject({ id: 'order-42', created: true });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toMatchObject({ id: 'order-42', created: false });
    expect(third.json()).toMatchObject({ id: 'order-42', created: false });
    expect(await queuedJobs(h)).toBe(1);
  });

  it('refuse a used id with a different request (422), and take the same request in another field order as a retry', async () => {
    h = await startApiHarness({ workers: [] });
    const post = (headers: Record<string, string>, payload: Record<string, unknown>) =>
      h!.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...auth('acme'), ...headers }, payload });
    expect((await post({ 'idempotency-key': 'inv-7' }, { task: 'extraction', prompt: 'Invoice 7.', tags: { a: '1', b: '2' } })).json()).toMatchObject({ created: true });
    // A retry, its fields in another order: the same job.
    const retry = await post({ 'idempotency-key': 'inv-7' }, { tags: { b: '2', a: '1' }, prompt: 'Invoice 7.', task: 'extraction' });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toMatchObject({ id: 'inv-7', created: false });
    // Another document under the same key: refused, not answered with the first document's job.
    const reused = await post({ 'idempotency-key': 'inv-7' }, { task: 'extraction', prompt: 'Invoice 8.', tags: { a: '1', b: '2' } });
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toEqual({
      code: 'idempotency_key_reused',
      message: 'job Idempotency-Key "inv-7" was used for a different request; send the same request to read that job back, or use a new Idempotency-Key for a new job',
      field: 'id',
    });
    await post({}, { id: 'inv-9', prompt: 'Invoice 9.' });
    expect((await post({}, { id: 'inv-9', prompt: 'Invoice 9.', priority: 1 })).json()).toMatchObject({ code: 'idempotency_key_reused', message: expect.stringContaining('job id "inv-9"') as unknown });
    expect(await queuedJobs(h)).toBe(2);
  });

  it("keep tenants apart: another tenant's job answers 404, and the same id is another job for each tenant", async () => {
    h = await startApiHarness({ workers: [] });
    await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'secret-1', prompt: 'Hi.' } });
    const peek = await h.app.inject({ method: 'GET', url: '/v1/jobs/secret-1', headers: auth('globex') });
    expect(peek.statusCode).toBe(404);
    expect(peek.json()).toEqual({ code: 'not_found', message: 'no job "secret-1"', field: 'id' });
    const own = await h.app.inject({ method: 'GET', url: '/v1/jobs/secret-1', headers: auth('acme') });
    expect(own.json()).toMatchObject({ state: 'queued', tenant: 'acme' });
    // Ids are each tenant's own: globex's secret-1 is a job of its own, and acme's stays acme's.
    const same = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('globex'), payload: { id: 'secret-1', prompt: 'Mine.' } });
    expect(same.statusCode).toBe(202);
    expect(same.json()).toMatchObject({ id: 'secret-1', created: true, links: { self: '/v1/jobs/secret-1' } });
    expect(await queuedJobs(h)).toBe(2);
    const theirs = await h.app.inject({ method: 'GET', url: '/v1/jobs/secret-1', headers: auth('globex') });
    expect(theirs.json()).toMatchObject({ id: 'secret-1', tenant: 'globex' });
    expect((await h.app.inject({ method: 'GET', url: '/v1/jobs/secret-1', headers: auth('acme') })).json()).toMatchObject({ id: 'secret-1', tenant: 'acme' });
    expect((await h.fleet.read(acme('secret-1')))?.tenant).toBe('acme');
    expect((await h.fleet.read(scopedId('globex', 'secret-1')))?.tenant).toBe('globex');
    expect(await h.fleet.read('secret-1')).toBeUndefined();
    const spoof = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('globex'), payload: { tenant: 'acme', prompt: 'Mine.' } });
    expect(spoof.statusCode).toBe(400);
    expect(spoof.json()).toMatchObject({ code: 'invalid_job', field: 'tenant' });
  });

  it("still find, read and cancel a tenant's job enqueued before ids were scoped per tenant (under its bare id)", async () => {
    h = await startApiHarness({ workers: [] });
    // What an older fleet left: acme's job under the bare id "old-1".
    const receipt = await h.fleet.producer.enqueue({ id: 'template', tenant: 'acme', tier: 'small', prompt: 'Hi.' });
    const queue = h.fleet.queues.queue('small');
    const template = await queue.getJob(receipt.id);
    await queue.add('job', { ...template!.data, id: 'old-1' }, { jobId: 'old-1' });
    await h.fleet.redis.set(jobIndexKey(h.fleet.fleet.name, 'old-1'), 'small');

    expect((await h.app.inject({ url: '/v1/jobs/old-1', headers: auth('acme') })).json()).toMatchObject({ id: 'old-1', tenant: 'acme', state: 'queued' });
    expect((await h.app.inject({ url: '/v1/jobs/old-1', headers: auth('globex') })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/jobs/old-1', headers: auth('acme') })).json()).toMatchObject({ id: 'old-1', state: 'cancelled' });
    expect(await queue.getJob('old-1')).toBeUndefined();
    expect((await h.app.inject({ url: '/v1/jobs/template', headers: auth('acme') })).json()).toMatchObject({ id: 'template', state: 'queued' });
  });

  it('refuse missing and wrong keys with 401 in the error shape', async () => {
    h = await startApiHarness({ workers: [] });
    const missing = await h.app.inject({ method: 'GET', url: '/v1/jobs/x' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ code: 'unauthorized', message: 'missing API key: send "Authorization: Bearer <key>"', field: 'authorization' });
    const wrong = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { authorization: 'Bearer not-a-key-at-all-000' }, payload: { prompt: 'Hi.' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'unauthorized', message: 'unknown API key' });
    expect(await queuedJobs(h)).toBe(0);
  });

  it('refuse oversized, malformed and invalid bodies before anything reaches the queue', async () => {
    h = await startApiHarness({ workers: [], limits: { bodyLimitBytes: 10_000 } });
    const big = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...auth('acme'), 'content-type': 'application/json' }, payload: JSON.stringify({ prompt: 'x'.repeat(20_000) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'body_too_large' });
    const malformed = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...auth('acme'), 'content-type': 'application/json' }, payload: '{"prompt": "Hi.",' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'invalid_json' });
    const text = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...auth('acme'), 'content-type': 'text/plain' }, payload: 'Hi.' });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ code: 'unsupported_media_type' });
    // NDJSON is for batches: a job sent so is the wrong media type, not a job made of the request's internals.
    const ndjson = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...auth('acme'), 'content-type': 'application/x-ndjson' }, payload: '{"prompt": "Hi."}\n' });
    expect(ndjson.statusCode).toBe(415);
    expect(ndjson.json()).toMatchObject({ code: 'unsupported_media_type' });
    const invalid = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { tier: 'huge', prompt: '' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'invalid_job', field: 'prompt', problems: [{ field: 'prompt' }] });
    const list = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: [1, 2] });
    expect(list.json()).toMatchObject({ code: 'invalid_body' });
    expect(await queuedJobs(h)).toBe(0);
  });

  it('limit requests per API key', async () => {
    h = await startApiHarness({ workers: [], limits: { rateLimitPerMinute: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i += 1) codes.push((await h.app.inject({ method: 'GET', url: '/v1/jobs/none', headers: auth('acme') })).statusCode);
    expect(codes).toEqual([404, 404, 404, 429]);
    const limited = await h.app.inject({ method: 'GET', url: '/v1/jobs/none', headers: auth('acme') });
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
    expect((await h.app.inject({ method: 'GET', url: '/v1/jobs/none', headers: auth('globex') })).statusCode).toBe(404);
  });

  it('answer /healthz always and /readyz only when every tier has a live worker', async () => {
    h = await startApiHarness({ workers: ['small'] });
    expect((await h.app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    const notReady = await h.app.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ ready: false, redis: 'ok', message: 'no live worker for tier medium, large' });
    await h.fleet.startWorker('medium');
    await h.fleet.startWorker('large');
    const ready = await h.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, workers: { small: 1, medium: 1, large: 1 } });

    // Redis gone: not ready, and the answer (given to anyone, unauthenticated) does not show Redis's address.
    const ping = vi.spyOn(h.fleet.redis, 'ping').mockRejectedValue(new Error('connect ECONNREFUSED 10.0.7.21:6379'));
    const down = await h.app.inject({ url: '/readyz' });
    ping.mockRestore();
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ ready: false, redis: 'unreachable' });
    expect(down.body).not.toContain('10.0.7.21');
  });

  it("give each tenant its own webhook secret, derived from the fleet's default; none without one", async () => {
    h = await startApiHarness({ workers: [], webhookSecret: 'fleet-default-secret-0123' });
    const acme = (await h.app.inject({ url: '/v1/webhook-secret', headers: auth('acme') })).json<{ secret: string }>();
    const globex = (await h.app.inject({ url: '/v1/webhook-secret', headers: auth('globex') })).json<{ secret: string }>();
    expect(acme.secret).toBe(tenantWebhookSecret('fleet-default-secret-0123', 'acme'));
    expect(globex.secret).not.toBe(acme.secret);
    expect(acme.secret).not.toContain('fleet-default-secret');
    expect((await h.app.inject({ url: '/v1/webhook-secret' })).statusCode).toBe(401);
    await h.close();
    h = await startApiHarness({ workers: [] });
    const none = await h.app.inject({ url: '/v1/webhook-secret', headers: auth('acme') });
    expect(none.statusCode).toBe(404);
    expect(none.json<{ message: string }>().message).toMatch(/FLEET_WEBHOOK_SECRET/);
  });

  it('publish an OpenAPI document with the routes', async () => {
    h = await startApiHarness({ workers: [] });
    const doc = (await h.app.inject({ url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/jobs', '/v1/jobs/{id}', '/v1/batches', '/v1/batches/{id}', '/v1/batches/{id}/results', '/readyz']));
    expect((await h.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });
});
