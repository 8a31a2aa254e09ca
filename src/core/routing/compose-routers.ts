import type { Router } from './router.js';

/**
 * Layers two routers: `tier` picks the tier, then `model` picks a model
 * within it (it sees the job with that tier set, as if the job had asked
 * for it). The model router's pick wins within the tier; when it has no
 * opinion, or answers for another tier, the tier router's own model (if
 * any) stands. No opinion when the tier router has none.
 */
export function composeRouters(layers: { tier: Router; model: Router }): Router {
  return (job, snapshot) => {
    const tier = layers.tier(job, snapshot);
    if (tier === undefined) return undefined;
    const model = layers.model({ ...job, tier: tier.tier }, snapshot);
    if (model?.model === undefined || model.tier !== tier.tier) return tier;
    return { tier: tier.tier, model: model.model, reason: `${tier.reason}; within tier ${tier.tier}, ${model.reason}` };
  };
}

/** Asks each router in turn; the first opinion wins. */
export function firstOf(...routers: readonly Router[]): Router {
  return (job, snapshot) => {
    for (const router of routers) {
      const choice = router(job, snapshot);
      if (choice !== undefined) return choice;
    }
    return undefined;
  };
}
