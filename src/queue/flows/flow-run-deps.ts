import type { Logger } from 'pino';
import type { FlowChildRef } from '../../core/flows/flow-plan.js';
import type { FleetQueues } from '../fleet-queues.js';
import type { CustomCombiner } from './load-combiner.js';

/** What the flow processor's parts are given. */
export interface FlowRunDeps {
  queues: FleetQueues;
  log: Logger;
  now: () => number;
  /** Loads a custom combiner module by the path the fleet file gives. */
  loadCombiner: (path: string) => Promise<CustomCombiner>;
  /** Whether the client cancelled the job with this id. */
  isCancelled: (jobId: string) => Promise<boolean>;
  /** Stops a child of a cancelled flow (removes or aborts it). */
  stopChild: (ref: FlowChildRef) => Promise<void>;
}
