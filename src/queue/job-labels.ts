import type { JobResult } from '../core/job/job-result.js';
import type { TierJobData } from './tier-job-data.js';

/** What a job's result repeats of its data: the conversation it continued and its experiment variant. */
export function jobLabels(data: Pick<TierJobData, 'conversation' | 'experiment'>): Pick<JobResult, 'conversation' | 'experiment'> {
  return {
    ...(data.conversation === undefined ? {} : { conversation: data.conversation }),
    ...(data.experiment === undefined ? {} : { experiment: data.experiment }),
  };
}
