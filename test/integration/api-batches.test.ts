import { afterEach, describe, expect, it } from 'vitest';
import { fleetPrefix } from '../../src/queue/queue-names.js';
import { createBatchStore } from '../../src/queue/batches/batch-store.js';
import { submitBatch } from '../../src/queue/batches/submit-batch.js';
import { jobIndexKey } from '../../src/queue/queue-names.js';
import { auth, KEYS, startApiHarness, type ApiHarness } from '../helpers/api-harness.js';
import { MODELS } from '../helpers/fleet-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

/** The fleet-wide id of tenant acme's job or batch. */
const acme = (id: string): string => scopedId('acme', id);

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface BatchView {
  id: string;
  status: string;
  total: number;
  counts: { completed: number; failed: number; pending: number };
  progress: number;
  costUsd: number;
}

async function pollBatch(harness: ApiHarness, id: string, timeoutMs = 60_000): Promise<BatchView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = (await harness.app.inject({ url: `/v1/batches/${id}`, headers: auth('acme') })).json<BatchView>();
    if (view.status === 'finished') return view;
    if (Date.now() > deadline) throw new Error(`batch ${id} not finished: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const docs = (n: number) => Array.from({ length: n }, (_, i) => `Document ${i}: queues let producers and consumers scale apart.`);

describe('batches over HTTP', () => {
  it('enqueue 1,000 documents, poll the batch to completion, and stream the results in input order', async () => {
    h = await startApiHarness({
      fleet: (input) => {
        for (const tier of input.tiers as { concurrency: number }[]) tier.concurrency = 32;
      },
    });
    const posted = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth('acme'),
      payload: { id: 'big-1', defaults: { task: 'classification', tags: { source: 'test' } }, documents: docs(1_000) },
    });
    expect(posted.statusCode).toBe(202);
    expect(posted.json()).toMatchObject({ batchId: 'big-1', accepted: 1_000, refusedCount: 0, enqueued: true });

    const done = await pollBatch(h, 'big-1');
    expect(done).toMatchObject({ total: 1_000, counts: { completed: 1_000, failed: 0, pending: 0 }, progress: 1 });
    expect(done.costUsd).toBeGreaterThan(0);

    const results = await h.app.inject({ url: '/v1/batches/big-1/results', headers: auth('acme') });
    expect(results.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = results.body.trim().split('\n').map((l) => JSON.parse(l) as { id: string; state: string; tags: Record<string, string> });
    expect(lines).toHaveLength(1_000);
    expect(lines.map((l) => l.id)).toEqual(Array.from({ length: 1_000 }, (_, i) => `big-1-${i}`));
    expect(lines.every((l) => l.state === 'completed' && l.tags.source === 'test')).toBe(true);
    const finished = await h.app.inject({ url: '/v1/batches/big-1/results?order=finished', headers: auth('acme') });
    expect(new Set(finished.body.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(1_000);
  });

  it('report each bad document with its reason and enqueue the rest', async () => {
    h = await startApiHarness({ workers: [] });
    const posted = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth('acme'),
      payload: [{ prompt: 'Fine.' }, { prompt: '' }, 'A plain document.', { tier: 'huge', prompt: 'Hi.' }, 42, { document: 'x', task: 'nope' }],
    });
    expect(posted.statusCode).toBe(202);
    const body = posted.json<{ batchId: string; accepted: number; refusedCount: number; refused: { index: number; field: string; message: string }[] }>();
    expect(body.accepted).toBe(2);
    expect(body.refusedCount).toBe(4);
    expect(body.refused.map((r) => [r.index, r.field])).toEqual([
      [1, 'prompt'],
      [3, 'tier'],
      [4, '(document)'],
      [5, 'task'],
    ]);
    expect(body.refused[1]?.message).toMatch(/no tier is named "huge"/);
    expect(await h.fleet.queues.queue('large').getWaitingCount()).toBe(2);
    const view = (await h.app.inject({ url: `/v1/batches/${body.batchId}`, headers: auth('acme') })).json<BatchView>();
    expect(view).toMatchObject({ total: 2, counts: { pending: 2, queued: 2, active: 0, escalated: 0 } });
  });

  it('enqueue nothing of an all-or-nothing batch with a bad document', async () => {
    h = await startApiHarness({ workers: [] });
    const posted = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth('acme'),
      payload: { allOrNothing: true, documents: [{ prompt: 'Fine.' }, { prompt: '' }] },
    });
    expect(posted.statusCode).toBe(422);
    expect(posted.json()).toMatchObject({ code: 'batch_refused', field: 'prompt', accepted: 1, refusedCount: 1, enqueued: false });
    for (const queue of h.fleet.queues.all()) expect(await queue.count()).toBe(0);
  });

  it('keep the id of a batch that enqueued nothing free: the corrected retry (same Idempotency-Key) runs', async () => {
    h = await startApiHarness({ workers: [], limits: { batchBodyLimitBytes: 2_000 } });
    const send = (payload: unknown) =>
      h!.app.inject({ method: 'POST', url: '/v1/batches', headers: { ...auth('acme'), 'idempotency-key': 'fix-me' }, payload: payload as Record<string, unknown> });
    expect((await send({ allOrNothing: true, documents: [{ prompt: 'Fine.' }, { prompt: '' }] })).statusCode).toBe(422);
    // An NDJSON body over the limit fails while the batch reads it.
    const ndjson = docs(100).map((d) => JSON.stringify({ prompt: d })).join('\n');
    const tooBig = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: { ...auth('acme'), 'idempotency-key': 'fix-me', 'content-type': 'application/x-ndjson' },
      payload: ndjson,
    });
    expect(tooBig.statusCode).toBe(413);
    // Every document refused (not all-or-nothing): nothing was enqueued either.
    const allBad = await send({ documents: [{ prompt: '' }, { tier: 'huge', prompt: 'Hi.' }] });
    expect(allBad.statusCode).toBe(422);
    expect(allBad.json()).toMatchObject({ code: 'batch_refused', accepted: 0, refusedCount: 2, enqueued: false });
    expect(allBad.json<{ message: string }>().message).toBe('every document was refused (2); nothing enqueued');
    const fixed = await send({ allOrNothing: true, documents: [{ prompt: 'Fine.' }, { prompt: 'Also fine.' }] });
    expect(fixed.statusCode).toBe(202);
    expect(fixed.json()).toMatchObject({ batchId: 'fix-me', created: true, accepted: 2 });
    expect(await h.fleet.queues.queue('large').getWaitingCount()).toBe(2);
  });

  it('hold a JSON body to its smaller limit, an NDJSON stream to its own, and any batch to its most documents (413; the id stays free)', async () => {
    h = await startApiHarness({ workers: [], limits: { batchJsonBodyLimitBytes: 2_000, batchBodyLimitBytes: 100_000, batchMaxDocuments: 50 } });
    const lines = docs(40).map((d) => JSON.stringify({ prompt: d }));
    const asJson = await h.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'lim-1', documents: docs(40) } });
    expect(asJson.statusCode).toBe(413);
    const ndjson = { ...auth('acme'), 'content-type': 'application/x-ndjson' };
    const streamed = await h.app.inject({ method: 'POST', url: '/v1/batches?id=lim-1', headers: ndjson, payload: lines.join('\n') });
    expect(streamed.statusCode).toBe(202);
    expect(streamed.json()).toMatchObject({ batchId: 'lim-1', accepted: 40 });
    const many = [...lines, ...lines].join('\n');
    const tooMany = await h.app.inject({ method: 'POST', url: '/v1/batches?id=lim-2', headers: ndjson, payload: many });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toMatchObject({ code: 'too_many_documents', field: 'documents' });
    expect(tooMany.json<{ message: string }>().message).toMatch(/more than 50 documents/);
    const retried = await h.app.inject({ method: 'POST', url: '/v1/batches?id=lim-2', headers: ndjson, payload: lines.slice(0, 5).join('\n') });
    expect(retried.json()).toMatchObject({ batchId: 'lim-2', created: true, accepted: 5 });
  });

  it("leave a document's own placement to it: a default tier or model applies to documents that name neither", async () => {
    h = await startApiHarness({ workers: [] });
    const posted = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth('acme'),
      payload: {
        id: 'place-1',
        defaults: { tier: 'small', strategy: 'cascade' },
        documents: [{ prompt: 'Default.' }, { model: MODELS.large[0], prompt: 'Own model.' }, { tier: 'medium', prompt: 'Own tier.' }],
      },
    });
    expect(posted.statusCode).toBe(202);
    expect(posted.json()).toMatchObject({ accepted: 3, refusedCount: 0 });
    const placed = await Promise.all(['place-1-0', 'place-1-1', 'place-1-2'].map(async (id) => (await h!.fleet.read(acme(id)))?.route));
    expect(placed.map((route) => [route?.tier, route?.model])).toEqual([
      ['small', undefined],
      ['large', MODELS.large[0]],
      ['medium', undefined],
    ]);
  });

  it('make a retried batch (same Idempotency-Key) one batch, and keep batches per tenant', async () => {
    h = await startApiHarness({ workers: [] });
    const send = (tenant: 'acme' | 'globex') =>
      h!.app.inject({ method: 'POST', url: '/v1/batches', headers: { ...auth(tenant), 'idempotency-key': 'nightly-7' }, payload: docs(5) });
    expect((await send('acme')).json()).toMatchObject({ batchId: 'nightly-7', created: true, accepted: 5 });
    expect((await send('acme')).json()).toMatchObject({ batchId: 'nightly-7', created: false });
    expect(await h.fleet.queues.queue('large').getWaitingCount()).toBe(5);
    // Batch ids are each tenant's own: globex's nightly-7 is a batch of its own, with jobs of its own.
    expect((await h.app.inject({ url: '/v1/batches/nightly-7', headers: auth('globex') })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/v1/jobs/nightly-7-0', headers: auth('globex') })).statusCode).toBe(404);
    const theirs = await send('globex');
    expect(theirs.statusCode).toBe(202);
    expect(theirs.json()).toMatchObject({ batchId: 'nightly-7', created: true, accepted: 5, duplicates: 0, links: { self: '/v1/batches/nightly-7' } });
    expect(await h.fleet.queues.queue('large').getWaitingCount()).toBe(10);
    for (const tenant of ['acme', 'globex'] as const) {
      const view = (await h.app.inject({ url: '/v1/batches/nightly-7', headers: auth(tenant) })).json<BatchView>();
      expect(view).toMatchObject({ id: 'nightly-7', total: 5, links: { self: '/v1/batches/nightly-7' } });
      expect((await h.app.inject({ url: '/v1/jobs/nightly-7-0', headers: auth(tenant) })).json()).toMatchObject({ id: 'nightly-7-0', tenant });
    }
  });

  it('stream an NDJSON batch in over real HTTP, with defaults as query parameters', async () => {
    h = await startApiHarness({ workers: [] });
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const lines = [...docs(300).map((d) => JSON.stringify({ document: d })), 'not json', JSON.stringify('a plain string')];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const line of lines) controller.enqueue(new TextEncoder().encode(`${line}\n`));
        controller.close();
      },
    });
    const response = await fetch(`${address}/v1/batches?task=summarization&tag=team:search&id=nd-1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.acme}`, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      batchId: 'nd-1',
      accepted: 301,
      refusedCount: 1,
      refused: [{ index: 300, field: '(document)', message: '(document): not valid JSON: not json' }],
    });
    const job = await h.fleet.read(acme('nd-1-0'));
    expect(job).toMatchObject({ task: 'summarization', tags: { team: 'search' }, tier: 'medium' });
  });
});

describe('a batch reusing job ids of an earlier one', () => {
  it('finishes: the earlier jobs are reported as duplicates, not waited for', async () => {
    h = await startApiHarness();
    const first = await h.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'dup-a', documents: [{ id: 'doc-1', prompt: 'One.' }] } });
    expect(first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    await pollBatch(h, 'dup-a');
    const second = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth('acme'),
      payload: { id: 'dup-b', documents: [{ id: 'doc-1', prompt: 'One.' }, { id: 'doc-2', prompt: 'Two.' }] },
    });
    // The same document in another batch: a duplicate, not a changed one.
    expect(second.json()).toMatchObject({ accepted: 2, duplicates: 1, changed: 0 });
    const done = await pollBatch(h, 'dup-b');
    expect(done).toMatchObject({ total: 1, counts: { completed: 1, pending: 0 } });
    // Its document edited since: still not enqueued again, and the receipt says it changed.
    const third = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth('acme'),
      payload: { id: 'dup-c', documents: [{ id: 'doc-1', prompt: 'One, edited.' }, { id: 'doc-2', prompt: 'Two.' }, { id: 'doc-3', prompt: 'Three.' }] },
    });
    expect(third.json()).toMatchObject({ accepted: 3, duplicates: 2, changed: 1 });
  });
});

describe('a batch whose submission died part-way', () => {
  it('shows as interrupted, saying how to carry it on, once no submission of it is alive', async () => {
    h = await startApiHarness();
    // A submission that created the batch and died: its mark lapses (two minutes in production, 50 ms here).
    const batches = createBatchStore({ redis: h.fleet.redis, fleetName: h.fleet.fleet.name, keepSeconds: 3_600, submissionMarkMs: 50 });
    await batches.create({ id: acme('stale-1'), tenant: 'acme' });
    expect((await h.app.inject({ url: '/v1/batches/stale-1', headers: auth('acme') })).json<BatchView>().status).toBe('enqueueing');
    await new Promise((resolve) => setTimeout(resolve, 120));
    const view = (await h.app.inject({ url: '/v1/batches/stale-1', headers: auth('acme') })).json<BatchView & { message: string }>();
    expect(view.status).toBe('interrupted');
    expect(view.message).toContain('send the same documents again under this batch id to carry it on');
    // Sent again: carried on, and it finishes.
    const again = await h.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'stale-1', documents: docs(2) } });
    expect(again.json()).toMatchObject({ accepted: 2, enqueued: true, resumed: true });
    expect(await pollBatch(h, 'stale-1')).toMatchObject({ status: 'finished', total: 2 });
  });

  it('a submission stays enqueueing while its documents keep coming, and shows interrupted while its client is silent', async () => {
    h = await startApiHarness({ workers: [] });
    // Marks that last 120 ms, renewed every 10 ms: the two minutes and ten seconds of production, shrunk.
    const batches = createBatchStore({ redis: h.fleet.redis, fleetName: h.fleet.fleet.name, keepSeconds: 3_600, submissionMarkMs: 120 });
    const status = async (): Promise<string> => (await h!.app.inject({ url: '/v1/batches/slow-1', headers: auth('acme') })).json<BatchView>().status;
    let resume = (): void => undefined;
    const silence = new Promise<void>((resolve) => (resume = resolve));
    const seen: string[] = [];
    async function* slowDocuments(): AsyncIterable<unknown> {
      // A document every 30 ms for 300 ms: longer than a mark lasts.
      for (let i = 0; i < 10; i += 1) {
        yield `Document ${String(i)}.`;
        await new Promise((resolve) => setTimeout(resolve, 30));
        seen.push(await status());
      }
      // Then the client goes silent, its connection still open; then it sends the rest.
      await silence;
      yield 'The last document.';
    }
    const running = submitBatch({ producer: h.fleet.producer, batches }, { tenant: 'acme', batchId: 'slow-1', documents: slowDocuments(), defaults: {}, allOrNothing: false });
    while (seen.length < 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(new Set(seen)).toEqual(new Set(['enqueueing']));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await status()).toBe('interrupted');
    resume();
    expect(await running).toMatchObject({ accepted: 11 });
    expect(await status()).toBe('open');
  });

  it('is carried on by the client sending it again under its id: every document runs once, and the batch finishes with them all', async () => {
    h = await startApiHarness();
    const batches = createBatchStore({ redis: h.fleet.redis, fleetName: h.fleet.fleet.name, keepSeconds: 3_600 });
    // The first submission created the batch and enqueued 2 of its 5 documents, then its API process died.
    await batches.create({ id: acme('crash-1'), tenant: 'acme' });
    for (const at of [0, 1]) await h.fleet.producer.enqueue({ id: `crash-1-${String(at)}`, tenant: 'acme', batchId: 'crash-1', prompt: `Document ${String(at)}.` });
    await h.fleet.waitFor(acme('crash-1-1'));

    const again = await h.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'crash-1', documents: docs(5) } });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ batchId: 'crash-1', accepted: 5, duplicates: 0, enqueued: true, resumed: true });
    const done = await pollBatch(h, 'crash-1');
    expect(done).toMatchObject({ total: 5, counts: { completed: 5, failed: 0, pending: 0 } });
    const lines = (await h.app.inject({ url: '/v1/batches/crash-1/results', headers: auth('acme') })).body.trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { id: string; state: string }).state)).toEqual(Array.from({ length: 5 }, () => 'completed'));
    // Sent once more after it opened: the batch as it stands, nothing enqueued again.
    const late = await h.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'crash-1', documents: docs(5) } });
    expect(late.json()).toMatchObject({ batchId: 'crash-1', created: false, accepted: 5 });
  });
});

describe('a batch carried on by a submission that fails', () => {
  it('shows as interrupted at once, not once the mark lapses', async () => {
    h = await startApiHarness({ workers: [], limits: { batchMaxDocuments: 3 } });
    const batches = createBatchStore({ redis: h.fleet.redis, fleetName: h.fleet.fleet.name, keepSeconds: 3_600 });
    // The first submission created the batch and enqueued one document, then its API process died.
    await batches.create({ id: acme('retry-1'), tenant: 'acme', submission: 'first' });
    await h.fleet.producer.enqueue({ id: 'retry-1-0', tenant: 'acme', batchId: 'retry-1', prompt: 'Document 0.' });
    await batches.endSubmitting(acme('retry-1'), 'first');
    // Sent again, with more documents than a batch may hold: refused, and the batch stays as it was, to be sent again.
    const again = await h.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'retry-1', documents: docs(5) } });
    expect(again.statusCode).toBe(413);
    const view = (await h.app.inject({ url: '/v1/batches/retry-1', headers: auth('acme') })).json<BatchView>();
    expect(view.status).toBe('interrupted');
  });
});

describe('a batch submitted through an upgrade', () => {
  it("keeps the older single mark for replicas not yet upgraded, and counts it, set by such a replica, as alive", async () => {
    h = await startApiHarness({ workers: [] });
    const batches = createBatchStore({ redis: h.fleet.redis, fleetName: h.fleet.fleet.name, keepSeconds: 3_600 });
    const older = `${fleetPrefix(h.fleet.fleet.name)}:batch:${acme('upgrade-1')}:submitting`;
    // A submission here keeps the mark an older replica reads, while it runs.
    await batches.create({ id: acme('upgrade-1'), tenant: 'acme', submission: 'new' });
    expect(await h.fleet.redis.exists(older)).toBe(1);
    await batches.endSubmitting(acme('upgrade-1'), 'new');
    expect(await h.fleet.redis.exists(older)).toBe(0);
    // A submission on an older replica sets only that mark.
    await h.fleet.redis.set(older, '1', 'PX', 60_000);
    const status = async (): Promise<string> => (await h!.app.inject({ url: '/v1/batches/upgrade-1', headers: auth('acme') })).json<BatchView>().status;
    expect(await status()).toBe('enqueueing');
    await h.fleet.redis.del(older);
    expect(await status()).toBe('interrupted');
    // One submission on each: this one's end leaves the older replica's mark, whose submission still runs.
    await h.fleet.redis.set(older, '1', 'PX', 60_000);
    await batches.create({ id: acme('upgrade-1'), tenant: 'acme', submission: 'newer' });
    await batches.endSubmitting(acme('upgrade-1'), 'newer');
    expect(await h.fleet.redis.get(older)).toBe('1');
    expect(await status()).toBe('enqueueing');
  });
});

describe('batch counts by state', () => {
  it('split pending jobs into queued, active and escalated', async () => {
    h = await startApiHarness({
      workers: ['small'],
      scenario: {
        defaults: { answer: { mode: 'plausible', confidence: 0.9 } },
        models: { 'amazon.nova-micro-v1:0': { answer: { rules: [{ match: 'hard', reply: 'Unsure.', confidence: 0.1 }] } } },
      },
    });
    const posted = await h.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: auth('acme'),
      payload: { id: 'states-1', defaults: { strategy: 'cascade' }, documents: ['A hard one.', 'Another hard one.', { tier: 'large', prompt: 'Waits.' }] },
    });
    expect(posted.json()).toMatchObject({ accepted: 3 });
    // Both cascades escalate from small to medium, where no worker runs; the large job waits.
    await h.fleet.waitFor(acme('states-1-0'), ['escalated']);
    await h.fleet.waitFor(acme('states-1-1'), ['escalated']);
    const view = (await h.app.inject({ url: '/v1/batches/states-1', headers: auth('acme') })).json<BatchView & { counts: Record<string, number> }>();
    expect(view.counts).toEqual({ completed: 0, failed: 0, pending: 3, queued: 1, active: 0, escalated: 2 });
  });

  it("show a job whose result expired as expired in a batch's results, not another tenant's job under the same id", async () => {
    h = await startApiHarness();
    const harness = h;
    await harness.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'reuse-b', documents: [{ id: 'doc-x', prompt: 'Hello?' }] } });
    const first = await harness.fleet.waitFor(acme('doc-x'));
    // Its result expires (the batch's list of ids is kept longer), and globex has a job under the same id.
    await (await harness.fleet.queues.queue(first.tier).getJob(acme('doc-x')))?.remove();
    await harness.fleet.redis.del(jobIndexKey(harness.fleet.fleet.name, acme('doc-x')));
    const posted = await harness.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('globex'), payload: { id: 'doc-x', prompt: 'Secret of globex.' } });
    expect(posted.statusCode).toBe(202);
    await harness.fleet.waitFor(scopedId('globex', 'doc-x'));
    const lines = (await harness.app.inject({ url: '/v1/batches/reuse-b/results', headers: auth('acme') })).body.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ id: 'doc-x', state: 'expired' }]);
  });

  it('finish a batch one of whose jobs was cancelled while it waited: that job counts as failed', async () => {
    h = await startApiHarness({ workers: [] });
    const harness = h;
    await harness.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'cb-1', documents: docs(3) } });
    const cancelled = await harness.app.inject({ method: 'DELETE', url: '/v1/jobs/cb-1-1', headers: auth('acme') });
    expect(cancelled.json()).toMatchObject({ state: 'cancelled' });
    for (const tier of harness.fleet.fleet.tiers) await harness.fleet.startWorker(tier.name);
    const view = await pollBatch(harness, 'cb-1', 10_000);
    expect(view.counts).toMatchObject({ completed: 2, failed: 1, pending: 0 });
  });

  it('count, at the next status read, jobs whose worker died before counting them: the batch still finishes', async () => {
    h = await startApiHarness({ withoutBatchObserver: true, settleMissedAfterMs: 200 });
    const posted = await h.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: { id: 'missed-1', documents: docs(3) } });
    expect(posted.json()).toMatchObject({ accepted: 3 });
    for (const i of [0, 1, 2]) await h.fleet.waitFor(acme(`missed-1-${i}`));
    // No observer counted them: only the status read can (once they finished 200 ms ago).
    const view = await pollBatch(h, 'missed-1', 5_000);
    expect(view.counts).toMatchObject({ completed: 3, failed: 0, pending: 0 });
    expect(view.costUsd).toBeGreaterThan(0);
  });
});

