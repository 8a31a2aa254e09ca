import type { Redis } from 'ioredis';
import type { FleetConfig } from '../config/fleet-schema.js';
import { createConversationStore } from './conversations/conversation-store.js';
import { createConversationObserver } from './conversations/create-conversation-observer.js';
import { createExperimentObserver } from './experiments/create-experiment-observer.js';
import { createExperimentStore } from './experiments/experiment-store.js';
import type { JobObserver } from './job-observer.js';

/**
 * The observers of a job's context: one adds a completed job's exchange to
 * its conversation, one records its experiment variant's measurements.
 * Both leave jobs without a conversation or an experiment alone.
 */
export function createContextObservers(deps: { redis: Redis; fleet: Pick<FleetConfig, 'name' | 'conversations' | 'experiments'> }): JobObserver[] {
  const { redis, fleet } = deps;
  return [
    createConversationObserver({ store: createConversationStore({ redis, fleetName: fleet.name, limits: fleet.conversations }) }),
    createExperimentObserver({
      store: createExperimentStore({ redis, fleetName: fleet.name }),
      extractorOf: (name) => fleet.experiments.find((e) => e.name === name)?.golden?.extractor,
    }),
  ];
}
