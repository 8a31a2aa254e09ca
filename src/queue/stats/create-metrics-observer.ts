import type { FleetMetrics } from '../../telemetry/fleet-metrics.js';
import type { JobObserver } from '../job-observer.js';
import { finishedStateOf } from './create-stats-observer.js';

/**
 * Counts each client's job that ended for good in the process's metrics:
 * by entry tier, state (completed, failed, or cancelled by its client) and
 * tenant, its time from enqueue to the end, and the tiers that sent it up.
 */
export function createMetricsObserver(metrics: FleetMetrics): JobObserver {
  return {
    name: 'metrics',
    finished(job) {
      const attempts = job.outcome?.attempts ?? job.data.attempts;
      metrics.jobEnded({
        entryTier: job.data.route.tier,
        state: finishedStateOf(job),
        tenant: job.data.tenant,
        durationMs: job.finishedAt - job.data.enqueuedAt,
        escalatedFrom: attempts.filter((a) => a.outcome === 'escalated').map((a) => a.tier),
      });
      return Promise.resolve();
    },
  };
}
