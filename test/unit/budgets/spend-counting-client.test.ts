import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ModelClient } from '../../../src/core/model-client.js';
import type { ModelRequest } from '../../../src/core/model-request.js';
import type { ModelResult } from '../../../src/core/model-result.js';
import { createSpendCountingClient } from '../../../src/queue/budgets/spend-counting-client.js';
import type { SpendStore } from '../../../src/queue/budgets/spend-store.js';

const request: ModelRequest = { modelId: 'micro', messages: [{ role: 'user', content: [{ text: 'Hi' }] }] };
const answer = (costUsd: number): ModelResult => ({
  text: 'Hello.',
  stopReason: 'end_turn',
  usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
  costUsd,
  latencyMs: 5,
  requestedModelId: 'micro',
  answeredModelId: 'micro',
  toolUses: [],
  streamed: false,
});

/** Records what is added; `broken` makes every write fail. */
class RecordingStore implements SpendStore {
  readonly added: [string, number][] = [];
  broken = false;
  add(tenant: string, usd: number): Promise<void> {
    if (this.broken) return Promise.reject(new Error('Connection is closed.'));
    this.added.push([tenant, usd]);
    return Promise.resolve();
  }
  read(): Promise<{ fleetUsd: number; byTenantUsd: Record<string, number> }> {
    return Promise.resolve({ fleetUsd: 0, byTenantUsd: {} });
  }
}

function setup(cost: number, withCache = false) {
  const inner: ModelClient = {
    converse: () => Promise.resolve(answer(cost)),
    converseStream: () => Promise.resolve({ ...answer(cost), streamed: true }),
    ...(withCache ? { cachedAnswer: () => Promise.resolve({ ...answer(0), cached: true }) } : {}),
  };
  const store = new RecordingStore();
  const client = createSpendCountingClient({ client: inner, store, log: pino({ level: 'silent' }) });
  return { store, client };
}

describe('createSpendCountingClient', () => {
  it("adds each answered call's cost to its tenant's spend, plain or streamed", async () => {
    const { store, client } = setup(0.0042);
    await client.converse(request, { tenant: 'acme' });
    await client.converseStream(request, { tenant: 'globex' });
    expect(store.added).toEqual([
      ['acme', 0.0042],
      ['globex', 0.0042],
    ]);
  });

  it('adds nothing for a call without a tenant, or one that cost nothing', async () => {
    const { store, client } = setup(0.0042);
    await client.converse(request);
    const free = setup(0);
    await free.client.converse(request, { tenant: 'acme' });
    expect([...store.added, ...free.store.added]).toEqual([]);
  });

  it('returns the answer when the spend cannot be written', async () => {
    const { store, client } = setup(0.0042);
    store.broken = true;
    expect((await client.converse(request, { tenant: 'acme' })).text).toBe('Hello.');
  });

  it('passes cache lookups through (a hit costs nothing), and has none when the inner client has none', async () => {
    const cached = setup(0.0042, true);
    expect(await cached.client.cachedAnswer?.(request, false)).toMatchObject({ cached: true, costUsd: 0 });
    expect(cached.store.added).toEqual([]);
    expect('cachedAnswer' in setup(0.0042).client).toBe(false);
  });
});
