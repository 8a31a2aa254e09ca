import type { Redis } from 'ioredis';
import { epochMinute } from '../../core/report/minute-window.js';
import { recentJobOf } from '../../core/report/recent-job.js';
import { latencySamples, statIncrements, type FinishedState } from '../../core/report/stat-increments.js';
import { CANCEL_REASON } from '../cancel-job.js';
import type { FinishedJob, JobObserver } from '../job-observer.js';
import {
  LATENCY_SAMPLES_KEPT,
  RECENT_JOBS_KEPT,
  STATS_TTL_SECONDS,
  latencyKey,
  recentJobsKey,
  statsBucketKey,
} from './stats-keys.js';

/** How a job ended, for the statistics: a job that failed with the cancel reason was cancelled by its client (as the read model says). */
export function finishedStateOf(job: Pick<FinishedJob, 'state' | 'failedReason'>): FinishedState {
  return job.state === 'failed' && job.failedReason === CANCEL_REASON ? 'cancelled' : job.state;
}

export interface StatsObserverDeps {
  redis: Redis;
  fleetName: string;
  now?: () => number;
}

/**
 * Records each finished job into the fleet statistics in one MULTI: the
 * current minute's counters (jobs per entry tier and state: completed,
 * failed, or cancelled by the client; calls, errors, answers, fallbacks,
 * tokens, cost and latency per model; decisions and escalations per tier;
 * jobs and cost per tenant), each model's latency samples, and the
 * recent-jobs list. Every key expires two days after its last write.
 */
export function createStatsObserver(deps: StatsObserverDeps): JobObserver {
  const now = deps.now ?? Date.now;
  const ttl = STATS_TTL_SECONDS;
  return {
    name: 'fleet-stats',
    async finished(job) {
      const { data } = job;
      const attempts = job.outcome?.attempts ?? data.attempts;
      const entryTier = data.route.tier;
      const state = finishedStateOf(job);
      const multi = deps.redis.multi();

      const bucket = statsBucketKey(deps.fleetName, epochMinute(now()));
      for (const { field, by, float } of statIncrements({ entryTier, state, tenant: data.tenant, attempts })) {
        if (float) multi.hincrbyfloat(bucket, field, by);
        else multi.hincrby(bucket, field, by);
      }
      multi.expire(bucket, ttl);

      for (const [model, samples] of latencySamples(attempts)) {
        const key = latencyKey(deps.fleetName, model);
        multi.lpush(key, ...samples.map(String));
        multi.ltrim(key, 0, LATENCY_SAMPLES_KEPT - 1);
        multi.expire(key, ttl);
      }

      const recent = recentJobOf({
        id: data.id,
        tenant: data.tenant,
        entryTier,
        state,
        attempts,
        ...(job.outcome === undefined ? {} : { answer: job.outcome.answer }),
        enqueuedAt: data.enqueuedAt,
        finishedAt: job.finishedAt,
      });
      const recentKey = recentJobsKey(deps.fleetName);
      multi.lpush(recentKey, JSON.stringify(recent));
      multi.ltrim(recentKey, 0, RECENT_JOBS_KEPT - 1);
      multi.expire(recentKey, ttl);

      const replies = await multi.exec();
      if (replies === null) throw new Error('fleet statistics: the transaction was discarded');
      const failed = replies.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
    },
  };
}
