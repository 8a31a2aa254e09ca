import type { FleetSnapshot } from './fleet-snapshot.js';
import type { RoutableJob } from './routable-job.js';

/** Where a router sends a job, and why. */
export interface RouteChoice {
  tier: string;
  /** A model of that tier to try first; the tier's own order when unset. */
  model?: string;
  reason: string;
}

/**
 * Picks a tier (and maybe a model) for a job from the fleet's state. Pure.
 * `undefined` means no opinion: ask the next router.
 */
export type Router = (job: RoutableJob, snapshot: FleetSnapshot) => RouteChoice | undefined;
