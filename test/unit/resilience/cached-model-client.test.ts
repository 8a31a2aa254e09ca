import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../../../src/core/model-call-error.js';
import type { ModelClient } from '../../../src/core/model-client.js';
import type { ModelRequest } from '../../../src/core/model-request.js';
import type { ModelResult, StopReason } from '../../../src/core/model-result.js';
import { createCachedModelClient, type ResponseCacheSettings } from '../../../src/resilience/cached-model-client.js';

const MODEL = 'amazon.nova-micro-v1:0';

/** The two commands the cache uses, in memory; `broken` makes every command fail, `hang` never answer. */
class FakeRedis {
  readonly store = new Map<string, string>();
  readonly ttls = new Map<string, number>();
  broken = false;
  hang = false;

  get(key: string): Promise<string | null> {
    return this.answer(() => this.store.get(key) ?? null);
  }

  set(key: string, value: string, _ex: 'EX', seconds: number): Promise<'OK'> {
    return this.answer(() => {
      this.store.set(key, value);
      this.ttls.set(key, seconds);
      return 'OK' as const;
    });
  }

  private answer<T>(reply: () => T): Promise<T> {
    if (this.hang) return new Promise(() => undefined);
    if (this.broken) return Promise.reject(new Error('Connection is closed.'));
    return Promise.resolve(reply());
  }
}

class CountingClient implements ModelClient {
  calls = 0;
  constructor(private readonly reply: () => ModelResult | ModelCallError) {}
  converse(request: ModelRequest): Promise<ModelResult> {
    this.calls += 1;
    const out = this.reply();
    return out instanceof ModelCallError ? Promise.reject(out) : Promise.resolve({ ...out, requestedModelId: request.modelId });
  }
  converseStream(request: ModelRequest): Promise<ModelResult> {
    return this.converse(request).then((r) => ({ ...r, streamed: true, firstTokenMs: 30 }));
  }
}

const answer = (stopReason: StopReason = 'end_turn'): ModelResult => ({
  text: 'Paris.',
  stopReason,
  usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
  costUsd: 0.00042,
  latencyMs: 250,
  requestedModelId: MODEL,
  answeredModelId: MODEL,
  toolUses: [],
  streamed: false,
});

const request = (temperature: number): ModelRequest => ({
  modelId: MODEL,
  messages: [{ role: 'user', content: [{ text: 'Capital of France?' }] }],
  inference: { temperature },
});

function setup(reply: () => ModelResult | ModelCallError = () => answer(), settings: Partial<ResponseCacheSettings> = {}) {
  const redis = new FakeRedis();
  const inner = new CountingClient(reply);
  const client = createCachedModelClient({
    client: inner,
    redis: redis as unknown as Redis,
    fleetName: 'f1',
    settings: { mode: 'deterministic', ttlSeconds: 60, maxEntryBytes: 10_000, timeoutMs: 50, ...settings },
    logger: pino({ level: 'silent' }),
  });
  return { redis, inner, client };
}

describe('createCachedModelClient', () => {
  it('answers a repeated temperature-0 call from the cache, at no cost, and says so', async () => {
    const { redis, inner, client } = setup();
    const first = await client.converse(request(0));
    const second = await client.converse(request(0));
    expect(inner.calls).toBe(1);
    expect(first.cached).toBeUndefined();
    expect(first.costUsd).toBe(0.00042);
    expect(second).toMatchObject({ text: 'Paris.', cached: true, costUsd: 0, usage: first.usage, streamed: false });
    expect([...redis.store.keys()]).toEqual([expect.stringMatching(/^\{f1\}:response-cache:tenant:default:[0-9a-f]{64}$/)]);
    expect([...redis.ttls.values()]).toEqual([60]);
  });

  it('looks an answer up on its own (cachedAnswer), and skips its own lookup when the caller already missed', async () => {
    const { redis, inner, client } = setup();
    expect(await client.cachedAnswer?.(request(0), false)).toBeUndefined();
    expect(await client.cachedAnswer?.(request(0.7), false)).toBeUndefined();
    await client.converse(request(0), { cacheChecked: true });
    expect(redis.store.size).toBe(1);
    expect(await client.cachedAnswer?.(request(0), true)).toMatchObject({ cached: true, costUsd: 0, streamed: true, firstTokenMs: 0 });
    // cacheChecked: the model is called although the cache holds the answer (the caller looked it up just before).
    await client.converse(request(0), { cacheChecked: true });
    expect(inner.calls).toBe(2);
    redis.broken = true;
    expect(await client.cachedAnswer?.(request(0), false)).toBeUndefined();
  });

  it('does not cache sampling calls in deterministic mode', async () => {
    const { redis, inner, client } = setup();
    await client.converse(request(0.7));
    await client.converse(request(0.7));
    expect(inner.calls).toBe(2);
    expect(redis.store.size).toBe(0);
  });

  it('caches them in always mode, and passes everything through when off', async () => {
    const always = setup(undefined, { mode: 'always' });
    await always.client.converse(request(0.7));
    expect((await always.client.converse(request(0.7))).cached).toBe(true);
    const off = setup(undefined, { mode: 'off' });
    expect(off.client).toBe(off.inner);
  });

  it('serves a streamed call from an entry a plain call stored, with firstTokenMs 0', async () => {
    const { inner, client } = setup();
    await client.converse(request(0));
    const streamed = await client.converseStream(request(0));
    expect(inner.calls).toBe(1);
    expect(streamed).toMatchObject({ cached: true, streamed: true, firstTokenMs: 0, costUsd: 0 });
  });

  it('never caches errors or content-policy refusals', async () => {
    const failing = setup(() => new ModelCallError({ kind: 'transient', code: 'InternalServerException', message: 'boom', modelId: MODEL }));
    await expect(failing.client.converse(request(0))).rejects.toThrow('boom');
    expect(failing.redis.store.size).toBe(0);
    const refused = setup(() => answer('content_filtered'));
    await refused.client.converse(request(0));
    await refused.client.converse(request(0));
    expect(refused.inner.calls).toBe(2);
  });

  it('skips answers larger than maxEntryBytes', async () => {
    const { redis, client } = setup(undefined, { maxEntryBytes: 50 });
    await client.converse(request(0));
    expect(redis.store.size).toBe(0);
  });

  it('calls the model when Redis fails or does not answer in time', async () => {
    for (const fault of ['broken', 'hang'] as const) {
      const { redis, inner, client } = setup();
      redis[fault] = true;
      const got = await client.converse(request(0));
      expect(got.cached).toBeUndefined();
      expect(got.text).toBe('Paris.');
      expect(inner.calls).toBe(1);
    }
  });

  it('ignores an entry it cannot read', async () => {
    const { redis, inner, client } = setup();
    await client.converse(request(0));
    for (const key of redis.store.keys()) redis.store.set(key, '{not json');
    expect((await client.converse(request(0))).cached).toBeUndefined();
    expect(inner.calls).toBe(2);
  });
});
