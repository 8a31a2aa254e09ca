import { MetricsTime, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../src/queue/create-redis-connection.js';
import { tierQueueName } from '../../src/queue/queue-names.js';
import { fallbackPerMinutePerReplica, readScaling } from '../../src/queue/read-scaling.js';
import type { TierJobData } from '../../src/queue/tier-job-data.js';
import { REDIS_URL, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

let harness: FleetHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('readScaling', () => {
  it("reports each tier's backlog, workers and a suggestion from the estimated rate when none is observed", async () => {
    harness = await startFleetHarness({ workers: [] });
    const { fleet, queues, producer } = harness;
    // Cascade jobs enter the small tier; no worker takes them.
    for (let i = 0; i < 7; i += 1) await producer.enqueue({ id: `s-${i}`, strategy: 'cascade', prompt: `question ${i}` });
    await producer.enqueue({ id: 's-prio', strategy: 'cascade', prompt: 'urgent', priority: 1 });
    // A job in backoff (delayed) counts too.
    await queues.queue('medium').add('job', { id: 'm-delayed' } as TierJobData, { jobId: 'm-delayed', delay: 60_000 });
    await harness.startWorker('large');

    const report = await readScaling({ fleet, queues, targetDrainSeconds: 5 });
    expect(Date.parse(report.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(Object.keys(report.tiers)).toEqual(['small', 'medium', 'large']);

    const smallTier = fleet.tiers[0]!;
    const estimated = fallbackPerMinutePerReplica(smallTier);
    expect(estimated).toBe((4 * 60_000) / 5_000); // 48 jobs a minute: 4 in 5 s
    const { reason, ...numbers } = report.tiers.small ?? { reason: '' };
    expect(numbers).toEqual({ backlog: 8, workers: 0, completedPerMinute: 0, perReplicaPerMinute: 48, suggestedReplicas: 2 });
    expect(reason).toBe('backlog 8 at 48/min per replica (estimated; none observed) drains in 5 s with 2 (up from 0)');
    expect(report.tiers.medium).toMatchObject({ backlog: 1, workers: 0, suggestedReplicas: 1 });
    expect(report.tiers.large).toMatchObject({ backlog: 0, workers: 1, suggestedReplicas: 1 });
    expect(report.tiers.large?.reason).toMatch(/no backlog/);

    // Flat numbers, as KEDA's metrics-api scaler reads them with valueLocation `tiers.<tier>.backlog`.
    const json = JSON.parse(JSON.stringify(report)) as { tiers: Record<string, Record<string, unknown>> };
    for (const tier of ['small', 'medium', 'large']) {
      for (const field of ['backlog', 'workers', 'completedPerMinute', 'suggestedReplicas']) {
        expect(typeof json.tiers[tier]?.[field]).toBe('number');
      }
    }

    const bounded = await readScaling({ fleet, queues, targetDrainSeconds: 1, min: 0, max: 3 });
    expect(bounded.tiers.small?.suggestedReplicas).toBe(3);
    expect(bounded.tiers.small?.reason).toMatch(/capped at the maximum, 3/);
    // One job, but a replica finishes only 0.8 jobs (48/min) within a 1 s target.
    expect(bounded.tiers.medium?.suggestedReplicas).toBe(2);
    expect(bounded.tiers.large?.suggestedReplicas).toBe(0);
    expect(bounded.tiers.large?.reason).toBe('no backlog: the minimum, 0 (down from 1)');
  });

  it('sees throughput only from workers created with the metrics option', async () => {
    harness = await startFleetHarness({ workers: [] });
    const { fleet, queues, producer } = harness;
    const connection = createRedisConnection(REDIS_URL, 'test-metrics');
    const worker = new Worker<TierJobData>(tierQueueName('small'), () => Promise.resolve({}), {
      connection,
      prefix: queues.prefix,
      metrics: { maxDataPoints: MetricsTime.ONE_HOUR },
    });
    try {
      await worker.waitUntilReady();
      for (let i = 0; i < 3; i += 1) await producer.enqueue({ id: `m-${i}`, strategy: 'cascade', prompt: `q ${i}` });
      const queue = queues.queue('small');
      const deadline = Date.now() + 5_000;
      while ((await queue.getJobCounts('completed')).completed !== 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const metrics = await queue.getMetrics('completed', 0, 4);
      expect(metrics.meta.count).toBe(3);
      expect(metrics.meta.prevTS).toBeGreaterThan(0);

      const report = await readScaling({ fleet, queues });
      // No whole minute has passed since metrics began: nothing observed yet, the estimate stands.
      expect(report.tiers.small).toMatchObject({ backlog: 0, workers: 1, completedPerMinute: 0 });
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });
});
