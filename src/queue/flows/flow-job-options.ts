import type { JobsOptions } from 'bullmq';
import type { FleetConfig } from '../../config/fleet-schema.js';

/** Options every flow parent gets: retries after Redis errors or a crash (its children are never added twice), and retention. */
export function flowJobOptions(fleet: FleetConfig): JobsOptions {
  return {
    attempts: fleet.flows.attempts,
    backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
    removeOnComplete: { age: fleet.jobs.keepCompletedSeconds },
    removeOnFail: { age: fleet.jobs.keepFailedSeconds },
  };
}
