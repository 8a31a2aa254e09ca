import type { Meter } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetConfig } from '../../config/fleet-schema.js';
import { summarizeBreakerReports } from '../../core/report/breaker-report.js';
import { tierOfModel } from '../../core/routing/routing-fleet.js';
import { FLOWS_ENTRY } from '../../core/flows/flow-definitions.js';
import { breakersKey } from '../../resilience/breaker-state-publisher.js';
import type { FleetQueues } from '../fleet-queues.js';
import { PAUSE_ONLY_LIMIT } from '../pause-only-limit.js';
import { redisWithin } from '../redis-within.js';

/** Queue states reported (completed and failed jobs kept for reading are not backlog). */
const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'] as const;
const BREAKER_LEVEL = { closed: 0, 'half-open': 1, open: 2 } as const;
/** A scrape waits this long for Redis, then reports it down (a lost connection queues commands rather than failing them). */
const READ_TIMEOUT_MS = 5_000;

export interface FleetGaugesDeps {
  meter: Meter;
  fleet: FleetConfig;
  queues: FleetQueues;
  redis: Redis;
  logger: Logger;
  now?: () => number;
}

/**
 * Fleet-wide gauges, read from Redis at each scrape, for one process to
 * report (the API): jobs per queue and state, live workers per queue, how
 * long a throttled tier's queue stays paused, each model's breaker (the worst
 * state across live worker processes), and whether Redis answers at all.
 */
export function observeFleetGauges(deps: FleetGaugesDeps): void {
  const { meter, fleet, queues, redis, logger } = deps;
  const now = deps.now ?? Date.now;
  const jobs = meter.createObservableGauge('fleet.queue.jobs', { description: 'Jobs in a queue now, by state (waiting, prioritized and delayed make the backlog)' });
  const workers = meter.createObservableGauge('fleet.queue.workers', { description: 'Live workers serving a queue' });
  const paused = meter.createObservableGauge('fleet.queue.throttle_remaining_seconds', {
    description: "Time left of a throttled tier's pause (0 when its queue is not paused)",
    unit: 's',
  });
  const breakers = meter.createObservableGauge('fleet.breaker.state', {
    description: "A model's circuit breaker, the worst state across live worker processes: 0 closed, 1 half-open, 2 open",
  });
  const redisUp = meter.createObservableGauge('fleet.redis.up', { description: 'Whether Redis answered this scrape (1) or not (0)' });
  let down = false;

  meter.addBatchObservableCallback(
    async (observer) => {
      try {
        const named = [...fleet.tiers.map((t) => ({ name: t.name, queue: queues.queue(t.name) })), { name: FLOWS_ENTRY, queue: queues.flows }];
        const [read, reports] = await redisWithin(
          Promise.all([
            Promise.all(
              named.map(async ({ name, queue }) => ({
                name,
                counts: await queue.getJobCounts(...QUEUE_STATES),
                workers: await queue.getWorkersCount(),
                // Only a pause: every job a worker takes also opens the limiter's one-second window.
                pauseMs: name === FLOWS_ENTRY ? 0 : await queue.getRateLimitTtl(PAUSE_ONLY_LIMIT),
              })),
            ),
            redis.hgetall(breakersKey(fleet.name)),
          ]),
          READ_TIMEOUT_MS,
        );
        for (const { name, counts, workers: live, pauseMs } of read) {
          for (const state of QUEUE_STATES) observer.observe(jobs, counts[state] ?? 0, { 'fleet.queue': name, 'fleet.job.state': state });
          observer.observe(workers, live, { 'fleet.queue': name });
          if (name !== FLOWS_ENTRY) observer.observe(paused, Math.max(0, pauseMs) / 1000, { 'fleet.queue': name });
        }
        const summary = summarizeBreakerReports(reports, now());
        for (const [model, breaker] of summary.models) {
          observer.observe(breakers, BREAKER_LEVEL[breaker.state], { 'gen_ai.request.model': model, 'fleet.tier': tierOfModel(fleet, model) ?? breaker.tiers.join(',') });
        }
        observer.observe(redisUp, 1);
        if (down) logger.info('metrics: Redis answers again');
        down = false;
      } catch (error) {
        observer.observe(redisUp, 0);
        if (!down) logger.warn({ err: error }, 'metrics: cannot read the queues from Redis; fleet.redis.up reads 0');
        down = true;
      }
    },
    [jobs, workers, paused, breakers, redisUp],
  );
}
