import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeModelStats, modelStatsField } from '../../src/core/routing/model-stats-record.js';
import { updateModelStats } from '../../src/core/routing/update-model-stats.js';
import { removeFleetKeys } from '../../src/queue/remove-fleet-keys.js';
import { createModelStatsStore, modelStatsKey } from '../../src/queue/routing/model-stats-store.js';
import { REDIS_URL } from '../helpers/fleet-harness.js';

const connections: Redis[] = [];
const fleetName = `t-${randomBytes(4).toString('hex')}`;
afterEach(async () => {
  await removeFleetKeys(connections[0]!, fleetName);
  for (const redis of connections.splice(0)) redis.disconnect();
});

describe('model stats store (real Redis)', () => {
  it('loses no update when many writers on several connections update one field at once', async () => {
    const redises = Array.from({ length: 6 }, () => new Redis(REDIS_URL));
    connections.push(...redises);
    const stores = redises.map((redis) => createModelStatsStore({ redis, fleetName }));
    const writes = Array.from({ length: 120 }, (_, i) =>
      stores[i % stores.length]!.record('m.a', 'chat', [{ ok: i % 4 !== 0, latencyMs: 100 }]),
    );
    await Promise.all(writes);
    const redis = redises[0]!;
    const stored = decodeModelStats(await redis.hget(modelStatsKey(fleetName), modelStatsField('m.a', 'chat')));
    expect(stored?.samples).toBe(120);
    // 30 of the 120 calls failed; the moving average (alpha 0.1) stays between the extremes whatever the order.
    expect(stored?.successRate).toBeGreaterThan(0.3);
    expect(stored?.successRate).toBeLessThan(1);
    expect(stored?.p50LatencyMs).toBeCloseTo(100, 6);
    expect(await redis.ttl(modelStatsKey(fleetName))).toBeGreaterThan(86_400);
  });

  it('folds with the pure update, and reads back into the snapshot\'s shape', async () => {
    const redis = new Redis(REDIS_URL);
    connections.push(redis);
    const store = createModelStatsStore({ redis, fleetName, now: () => 42 });
    const calls = [
      { ok: true, latencyMs: 200 },
      { ok: false, latencyMs: 10 },
      { ok: true, latencyMs: 50 },
    ];
    await store.record('m.b', undefined, calls);
    await store.record('m.b', 'chat', calls.slice(0, 1));
    const expected = calls.reduce<ReturnType<typeof updateModelStats> | undefined>((s, c) => updateModelStats(s, c), undefined);
    expect(await store.readAll()).toEqual({ 'm.b': { ...expected, byTask: { chat: { samples: 1, successRate: 1, p50LatencyMs: 200 } } } });
  });
});
