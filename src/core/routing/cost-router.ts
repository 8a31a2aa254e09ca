import { candidateModels, formatUsd, type Candidate } from './candidate-models.js';
import { isBreakerOpen } from './fleet-snapshot.js';
import type { Router } from './router.js';
import type { RoutingFleet } from './routing-fleet.js';

export interface CostRouterOptions {
  fleet: RoutingFleet;
  /** The minimum quality rating of jobs that set none; 0 (any model) by default. */
  defaultMinQuality?: number;
}

const qualityOf = (c: Candidate): number => c.model.quality ?? 0;
const describe = (c: Candidate): string =>
  `${c.model.id} (quality ${c.model.quality ?? 'unrated'}, est. ${formatUsd(c.cost)}) on tier ${c.tier}`;

/**
 * The cheapest model, by the job's estimated tokens and the models' prices,
 * whose quality rating meets the job's minimum, skipping models whose
 * breaker is open (cheapest across tiers, fleet order among equal costs).
 * When every model that meets the minimum is behind an open breaker (or
 * none does), it degrades: from the tier of the cheapest such model (the
 * top tier when none qualifies) down to the first tier with a usable
 * model, and takes that tier's best-rated usable model, cheapest among
 * equals; the reason says so. No opinion when no usable model holds the
 * job. Unrated models count as quality 0.
 */
export function createCostRouter({ fleet, defaultMinQuality = 0 }: CostRouterOptions): Router {
  return (job, snapshot) => {
    const min = job.minQuality ?? defaultMinQuality;
    const candidates = candidateModels(fleet, job);
    const open = (c: Candidate): boolean => isBreakerOpen(snapshot, c.model.id);
    const qualifying = candidates.filter((c) => qualityOf(c) >= min).sort((a, b) => a.cost - b.cost);
    const chosen = qualifying.find((c) => !open(c));
    if (chosen !== undefined) {
      const skipped = qualifying.slice(0, qualifying.indexOf(chosen)).map((c) => c.model.id);
      const note = skipped.length === 0 ? '' : `; skipped cheaper ${skipped.join(', ')} (breaker open)`;
      return {
        tier: chosen.tier,
        model: chosen.model.id,
        reason: `cheapest model rated ≥ ${min}: ${describe(chosen)}${note}`,
      };
    }

    const why =
      qualifying.length === 0
        ? `no model that holds the job is rated ≥ ${min}`
        : `every model rated ≥ ${min} has its breaker open (${qualifying.map((c) => c.model.id).join(', ')})`;
    const start = qualifying[0]?.tierRank ?? fleet.tiers.length - 1;
    for (let rank = start; rank >= 0; rank--) {
      const best = candidates
        .filter((c) => c.tierRank === rank && !open(c))
        .sort((a, b) => qualityOf(b) - qualityOf(a) || a.cost - b.cost)[0];
      if (best === undefined) continue;
      const how = rank === start ? `falls back within tier ${best.tier}` : `degrades to the lower tier ${best.tier}`;
      return { tier: best.tier, model: best.model.id, reason: `${why}; ${how}: best usable ${describe(best)}` };
    }
    return undefined;
  };
}
