import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { TierJobData } from './tier-job-data.js';

/** A client's job that has finished for good (not an escalation child, not an attempt that will be retried). */
export interface FinishedJob {
  data: TierJobData;
  state: 'completed' | 'failed';
  /** Set when completed. */
  outcome?: TierOutcome;
  /** Set when failed. */
  failedReason?: string;
  finishedAt: number;
}

/**
 * Something that reacts when a client's job finishes: batch counters, fleet
 * statistics, webhooks. Called by the tier worker after BullMQ has recorded
 * the outcome; an observer that throws is logged and does not affect the job.
 */
export interface JobObserver {
  readonly name: string;
  finished(job: FinishedJob): Promise<void>;
}
