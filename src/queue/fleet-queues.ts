import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FleetConfig, TierConfig } from '../config/fleet-schema.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import { fleetPrefix, tierQueueName } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

export type TierQueue = Queue<TierJobData, TierOutcome>;

/** One BullMQ queue per tier of a fleet, sharing one connection. */
export interface FleetQueues {
  readonly prefix: string;
  queue(tier: string): TierQueue;
  all(): TierQueue[];
  close(): Promise<void>;
}

/** Job options every job of a tier gets: BullMQ retries, backoff and retention. */
export function tierJobOptions(fleet: FleetConfig, tier: TierConfig): JobsOptions {
  return {
    attempts: tier.retry.jobAttempts,
    backoff: { type: 'exponential', delay: Math.max(1, tier.retry.baseDelayMs), jitter: 0.5 },
    removeOnComplete: { age: fleet.jobs.keepCompletedSeconds },
    removeOnFail: { age: fleet.jobs.keepFailedSeconds },
  };
}

export function createFleetQueues(fleet: FleetConfig, connection: Redis): FleetQueues {
  const prefix = fleetPrefix(fleet.name);
  const queues = new Map<string, TierQueue>();
  for (const tier of fleet.tiers) {
    queues.set(
      tier.name,
      new Queue<TierJobData, TierOutcome>(tierQueueName(tier.name), {
        connection,
        prefix,
        defaultJobOptions: tierJobOptions(fleet, tier),
      }),
    );
  }
  return {
    prefix,
    queue(tier) {
      const queue = queues.get(tier);
      if (queue === undefined) throw new Error(`no tier is named "${tier}"`);
      return queue;
    },
    all: () => [...queues.values()],
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
