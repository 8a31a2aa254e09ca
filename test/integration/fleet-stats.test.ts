import { afterEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/core/job/attempt.js';
import { CANCEL_REASON } from '../../src/queue/cancel-job.js';
import type { FinishedJob } from '../../src/queue/job-observer.js';
import { createStatsObserver } from '../../src/queue/stats/create-stats-observer.js';
import { readFleetStats, type FleetStats } from '../../src/queue/stats/read-fleet-stats.js';
import type { TierJobData } from '../../src/queue/tier-job-data.js';
import { makeAttempt } from '../helpers/attempt-fixture.js';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

/**
 * The stats observer and the dashboard's read of Redis, with finished jobs
 * handed to the observer as the workers hand them (no worker runs).
 */

const [SMALL, SMALL_2] = MODELS.small;
const [MEDIUM, MEDIUM_2] = MODELS.medium;

let harness: FleetHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const cancelledCall = (tier: string, model: string): Attempt =>
  makeAttempt(tier, model, 'error', {}, { kind: 'cancelled', code: 'Cancelled', message: 'the call was cancelled' });

let counter = 0;
/** A client's job that finished, as the worker reports it to its observers. */
function finished(entryTier: string, state: FinishedJob['state'], attempts: Attempt[], failedReason?: string): FinishedJob {
  counter += 1;
  const data: TierJobData = {
    id: `job-${counter}`,
    tenant: 'acme',
    task: 'default',
    strategy: entryTier === 'flows' ? 'ensemble' : 'cascade',
    tags: {},
    metadata: {},
    request: { messages: [], system: [] },
    route: { tier: entryTier, path: [entryTier], reason: 'test' },
    path: [entryTier],
    enqueuedAt: Date.now() - 100,
    attempts,
  };
  return { data, state, finishedAt: Date.now(), ...(failedReason === undefined ? {} : { failedReason }) };
}

async function record(h: FleetHarness, jobs: FinishedJob[]): Promise<FleetStats> {
  const observer = createStatsObserver({ redis: h.redis, fleetName: h.fleet.name });
  for (const job of jobs) await observer.finished(job);
  return readFleetStats({ redis: h.redis, fleetName: h.fleet.name, queues: h.queues, fleet: h.fleet });
}

const tier = (stats: FleetStats, name: string) => stats.tiers.find((t) => t.tier === name);

describe('fleet statistics: flow jobs', () => {
  it('count ensembles and pipelines (entry tier flows) in the totals, and the flows queue in the depth', async () => {
    harness = await startFleetHarness({ workers: [], flows: false });
    // A flow parent waiting for the flows worker (delayed, so nothing takes it).
    await harness.queues.flows.add('flow', { id: 'queued-flow' } as never, { jobId: 'queued-flow', delay: 60_000 });
    const stats = await record(harness, [
      finished('flows', 'completed', [makeAttempt('small', SMALL, 'accepted'), makeAttempt('medium', MEDIUM, 'accepted')]),
      finished('flows', 'failed', [makeAttempt('small', SMALL, 'error')]),
      finished('small', 'completed', [makeAttempt('small', SMALL, 'accepted')]),
    ]);

    expect(stats.totals).toMatchObject({ jobs: 3, completed: 2, failed: 1, cancelled: 0, calls: 4, errors: 1, depth: 1 });
    expect(stats.flows).toMatchObject({
      entry: 'flows',
      configured: false,
      jobs: { completed: 1, failed: 1, cancelled: 0 },
      queue: { delayed: 1, depth: 1 },
    });
    expect(stats.flows.jobsPerMinute.at(-1)).toBe(2);
    expect(stats.tiers.map((t) => t.tier)).toEqual(['small', 'medium', 'large']);
    expect(tier(stats, 'small')?.jobs).toEqual({ completed: 1, failed: 0, cancelled: 0 });
    // A flow's calls count under the tiers they ran on.
    expect(tier(stats, 'medium')).toMatchObject({ calls: 1, answered: 1 });
  });
});

describe('fleet statistics: escalation rate per decision', () => {
  const climb = (cached: boolean): Attempt[] => [
    makeAttempt('small', SMALL, 'escalated', cached ? { cached: true, costUsd: 0 } : {}),
    makeAttempt('medium', MEDIUM, 'accepted', cached ? { cached: true, costUsd: 0 } : {}),
  ];

  it('count a cascade served from the response cache as a decision of each tier it reached', async () => {
    harness = await startFleetHarness({ workers: [], flows: false });
    // Three identical cascade jobs: the first made the calls, the other two were served from the cache.
    const stats = await record(harness, [finished('small', 'completed', climb(false)), finished('small', 'completed', climb(true)), finished('small', 'completed', climb(true))]);
    expect(tier(stats, 'small')).toMatchObject({ decisions: 3, escalations: 3, answered: 1, escalationRate: 1 });
    expect(tier(stats, 'medium')).toMatchObject({ decisions: 3, escalations: 0, escalationRate: 0 });
    expect(stats.models.find((m) => m.model === SMALL)).toMatchObject({ calls: 1, cacheHits: 2 });
  });

  it('rate a tier all of whose jobs were served from the cache', async () => {
    harness = await startFleetHarness({ workers: [], flows: false });
    const stats = await record(harness, [finished('small', 'completed', climb(true)), finished('small', 'completed', climb(true))]);
    expect(tier(stats, 'small')).toMatchObject({ calls: 0, decisions: 2, escalations: 2, escalationRate: 1 });
  });

  it('count an agreement cascade’s tier once, not once per voter, judge or classifier call', async () => {
    harness = await startFleetHarness({ workers: [], flows: false });
    // The two small voters always disagree: every job escalates.
    const disagree = (): Attempt[] => [
      makeAttempt('small', SMALL, 'classified'),
      makeAttempt('small', SMALL, 'voted', { vote: 'A' }),
      makeAttempt('small', SMALL_2, 'escalated', { vote: 'B' }),
      makeAttempt('medium', MEDIUM, 'voted', { vote: 'B' }),
      makeAttempt('medium', MEDIUM_2, 'judged'),
      makeAttempt('medium', MEDIUM, 'accepted', { vote: 'B' }),
    ];
    const stats = await record(harness, [finished('small', 'completed', disagree()), finished('small', 'completed', disagree())]);
    expect(tier(stats, 'small')).toMatchObject({ answered: 6, decisions: 2, escalations: 2, escalationRate: 1 });
    expect(tier(stats, 'medium')).toMatchObject({ answered: 6, decisions: 2, escalations: 0, escalationRate: 0 });
  });
});

describe('fleet statistics: cancelled jobs', () => {
  it('count a job its client cancelled as cancelled, not failed, and its aborted call as no model error', async () => {
    harness = await startFleetHarness({ workers: [], flows: false });
    const stats = await record(harness, [
      finished('small', 'completed', [makeAttempt('small', SMALL, 'accepted')]),
      finished('small', 'failed', [makeAttempt('small', SMALL, 'accepted'), cancelledCall('small', SMALL)], CANCEL_REASON),
      finished('flows', 'failed', [cancelledCall('medium', MEDIUM)], CANCEL_REASON),
      finished('small', 'failed', [makeAttempt('small', SMALL, 'error', {}, { kind: 'invalid-request', code: 'ValidationException', message: 'bad' })], 'bad request'),
    ]);

    expect(stats.totals).toMatchObject({ jobs: 4, completed: 1, failed: 1, cancelled: 2, errors: 1 });
    expect(tier(stats, 'small')?.jobs).toEqual({ completed: 1, failed: 1, cancelled: 1 });
    expect(stats.flows.jobs).toEqual({ completed: 0, failed: 0, cancelled: 1 });
    expect(tier(stats, 'small')).toMatchObject({ calls: 3, errors: 1 });
    expect(tier(stats, 'medium')).toMatchObject({ calls: 0, errors: 0 });
    expect(stats.models.find((m) => m.model === SMALL)).toMatchObject({ calls: 3, errors: 1, errorRate: 1 / 3, cancelledCalls: 1 });
    expect(stats.models.find((m) => m.model === MEDIUM)).toMatchObject({ calls: 0, errors: 0, errorRate: 0, cancelledCalls: 1, breakerSkips: 0 });
    expect(stats.recentJobs.map((j) => j.state)).toEqual(['failed', 'cancelled', 'cancelled', 'completed']);
  });
});
