import { Queue, type JobsOptions, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FleetConfig, TierConfig } from '../config/fleet-schema.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import { FLOWS_ENTRY } from '../core/flows/flow-definitions.js';
import type { FlowJobData, FlowOutcome } from './flows/flow-job-data.js';
import { flowJobOptions } from './flows/flow-job-options.js';
import { FLOWS_QUEUE_NAME } from './flows/flow-queue-names.js';
import { fleetPrefix, tierQueueName } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

export type TierQueue = Queue<TierJobData, TierOutcome>;
/** The queue of flow parents (ensembles, pipelines); `queue(FLOWS_ENTRY)` returns it too, so the job index finds them. */
export type FlowQueue = Queue<FlowJobData, FlowOutcome>;

/** One BullMQ queue per tier of a fleet, sharing one connection. */
export interface FleetQueues {
  readonly prefix: string;
  /** BullMQ's tracing (bullmq-otel), when the process traces: jobs carry their trace from producer to worker. */
  readonly telemetry?: Telemetry;
  queue(tier: string): TierQueue;
  readonly flows: FlowQueue;
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

export function createFleetQueues(fleet: FleetConfig, connection: Redis, options: { telemetry?: Telemetry } = {}): FleetQueues {
  const prefix = fleetPrefix(fleet.name);
  const traced = options.telemetry === undefined ? {} : { telemetry: options.telemetry };
  const queues = new Map<string, TierQueue>();
  for (const tier of fleet.tiers) {
    queues.set(
      tier.name,
      new Queue<TierJobData, TierOutcome>(tierQueueName(tier.name), {
        connection,
        prefix,
        defaultJobOptions: tierJobOptions(fleet, tier),
        ...traced,
      }),
    );
  }
  const flows: FlowQueue = new Queue<FlowJobData, FlowOutcome>(FLOWS_QUEUE_NAME, { connection, prefix, defaultJobOptions: flowJobOptions(fleet), ...traced });
  return {
    prefix,
    ...traced,
    flows,
    queue(tier) {
      // Read through the index as any job: a flow parent's data and outcome extend a tier job's.
      if (tier === FLOWS_ENTRY) return flows as unknown as TierQueue;
      const queue = queues.get(tier);
      if (queue === undefined) throw new Error(`no tier is named "${tier}"`);
      return queue;
    },
    all: () => [...queues.values()],
    async close() {
      await Promise.all([...queues.values(), flows].map((q) => q.close()));
    },
  };
}
