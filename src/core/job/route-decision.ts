/** Where a job enters the fleet, and why. */
export interface RouteDecision {
  /** The entry tier. */
  tier: string;
  /** A model of that tier to try first, when the router chose one. */
  model?: string;
  /** Tiers a cascade may climb, the entry tier first; only the entry tier for `route`. */
  path: string[];
  reason: string;
  /** Set by the classifier router: the entry tier labels the task type first, then the rules route the job (queue/classify-job.ts). */
  classify?: boolean;
}
