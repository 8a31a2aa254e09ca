import type { Router } from './router.js';
import { tierOfModel, type RoutingFleet } from './routing-fleet.js';

/**
 * An explicit model or tier on the job always wins, as in `routeJob`: a
 * model goes to its tier (or the job's); a tier stands, and `router` may
 * only pick a model within it (models routers see the tier on the job).
 * Otherwise `router` decides.
 */
export function respectJobChoice(router: Router, fleet: RoutingFleet): Router {
  return (job, snapshot) => {
    if (job.model !== undefined) {
      const tier = job.tier ?? tierOfModel(fleet, job.model);
      if (tier === undefined) throw new Error(`model "${job.model}" is not in any tier`);
      return { tier, model: job.model, reason: `the job asked for model ${job.model} (tier ${tier})` };
    }
    if (job.tier !== undefined) {
      const asked = `the job asked for tier ${job.tier}`;
      const within = router(job, snapshot);
      if (within?.model === undefined || within.tier !== job.tier) return { tier: job.tier, reason: asked };
      return { tier: job.tier, model: within.model, reason: `${asked}; ${within.reason}` };
    }
    return router(job, snapshot);
  };
}
