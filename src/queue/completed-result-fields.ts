import type { Job } from 'bullmq';
import { attemptTotals } from '../core/job/attempt-totals.js';
import type { JobResult } from '../core/job/job-result.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';

/**
 * What a completed job's result says of its outcome, for the tier jobs and
 * the flow parents alike: where it was answered, when it finished, the
 * answer, every attempt (with votes, when it voted) and their totals.
 */
export function completedResultFields(
  job: Pick<Job, 'finishedOn'>,
  outcome: TierOutcome,
): Pick<JobResult, 'tier' | 'finishedAt' | 'answer' | 'attempts' | 'votes' | 'usage' | 'costUsd'> {
  return {
    tier: outcome.answer.tier,
    ...(job.finishedOn === undefined ? {} : { finishedAt: job.finishedOn }),
    answer: outcome.answer,
    attempts: outcome.attempts,
    ...(outcome.votes === undefined ? {} : { votes: outcome.votes }),
    ...attemptTotals(outcome.attempts),
  };
}
