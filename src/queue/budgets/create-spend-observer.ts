import { attemptTotals } from '../../core/job/attempt-totals.js';
import type { JobObserver } from '../job-observer.js';
import type { SpendStore } from './spend-store.js';

/**
 * Counts what each finished job cost toward the budgets (docs/budgets.md):
 * when a client's job finishes for good, completed or failed, the total
 * cost of all its attempts (every tier, failed tries and BullMQ retries
 * included: failed calls that returned tokens cost too) is added to the
 * fleet's and its tenant's spend of the period it finished in. Escalated
 * jobs count once, when their root finishes; ensembles and pipelines once,
 * as their parent (its attempts are every child's).
 */
export function createSpendObserver(deps: { store: SpendStore }): JobObserver {
  return {
    name: 'budget-spend',
    async finished(job) {
      const attempts = job.outcome?.attempts ?? job.data.attempts;
      await deps.store.add(job.data.tenant, attemptTotals(attempts).costUsd, job.finishedAt);
    },
  };
}
