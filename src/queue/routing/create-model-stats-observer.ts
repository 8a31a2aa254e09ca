import { callOutcomesByModel } from '../../core/routing/model-stats-record.js';
import type { JobObserver } from '../job-observer.js';
import type { ModelStatsStore } from './model-stats-store.js';

/**
 * Keeps the adaptive router's per-(model, task) success rates and latencies
 * up to date: when a client's job finishes for good, every model call in
 * its attempts (on every tier, retries and failed tries included) is folded
 * into the model's stats overall and for the job's task. Stats therefore
 * move when jobs finish, not at each call; an escalated job's calls count
 * when its root finishes. The task is the job's final one, so a classified
 * job's classification call counts under the label it chose.
 */
export function createModelStatsObserver(deps: { store: ModelStatsStore }): JobObserver {
  return {
    name: 'model-stats',
    async finished(job) {
      const attempts = job.outcome?.attempts ?? job.data.attempts;
      const writes: Promise<void>[] = [];
      for (const [model, calls] of callOutcomesByModel(attempts)) {
        writes.push(deps.store.record(model, undefined, calls), deps.store.record(model, job.data.task, calls));
      }
      const results = await Promise.allSettled(writes);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    },
  };
}
