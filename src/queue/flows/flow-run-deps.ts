import type { Logger } from 'pino';
import type { FleetQueues } from '../fleet-queues.js';
import type { CustomCombiner } from './load-combiner.js';

/** What the flow processor's parts are given. */
export interface FlowRunDeps {
  queues: FleetQueues;
  log: Logger;
  now: () => number;
  /** Loads a custom combiner module by the path the fleet file gives. */
  loadCombiner: (path: string) => Promise<CustomCombiner>;
}
