import { isFlowStrategy } from '../flows/flow-definitions.js';
import type { RouteDecision } from '../job/route-decision.js';
import type { FleetRouter } from '../routing/build-router.js';
import { candidateModels, formatUsd, type Candidate } from '../routing/candidate-models.js';
import { isBreakerOpen, type FleetSnapshot } from '../routing/fleet-snapshot.js';
import type { RoutableJob } from '../routing/routable-job.js';
import type { RoutingFleet } from '../routing/routing-fleet.js';
import { BudgetExceededError } from './budget-exceeded-error.js';
import { periodWindow } from './budget-period.js';
import { hasBudgets, type BudgetSettings } from './budget-settings.js';
import { describeSpent } from './describe-spent.js';
import { spentBudget } from './remaining-budgets.js';

export interface BudgetRouterOptions {
  /** The fleet's tiers and models with their prices, to find the cheapest model. */
  fleet: RoutingFleet;
  /** The fleet file's `budgets`; the router is returned as it is when no budget is set. */
  settings: BudgetSettings | undefined;
  /** For the end of the period a refusal names; `Date.now` by default. */
  now?: () => number;
}

/**
 * The cheapest model of the whole fleet for the job (its estimated tokens
 * at each model's price, fleet order among equal costs) whose context
 * window holds it, preferring models whose breaker is not open; undefined
 * when no model holds the job. Pure.
 */
export function cheapestModel(fleet: RoutingFleet, job: RoutableJob, snapshot: FleetSnapshot): Candidate | undefined {
  const candidates = candidateModels(fleet, { ...job, tier: undefined, model: undefined }).sort((a, b) => a.cost - b.cost);
  return candidates.find((c) => !isBreakerOpen(snapshot, c.model.id)) ?? candidates[0];
}

/**
 * Enforces spend budgets around the fleet's router, from the budgets left
 * in the snapshot. While the job's tenant and the fleet have money left
 * (or no budget), `router` decides alone. When the tenant's budget (checked
 * first) or the fleet's is spent:
 * - `whenSpent: refuse`: throws BudgetExceededError naming the tenant, the
 *   spend and the budget; nothing is routed, so nothing is enqueued;
 * - `whenSpent: cheapest`: the job goes to the fleet's cheapest model
 *   (`cheapestModel`), over any router's choice; a cascade starts and
 *   stays on that model's tier (a path of one tier). A model or tier the
 *   job named itself still wins, but a cascade no longer climbs from it;
 *   one an A/B variant set (`inputs.placedBy: 'experiment'`) does not.
 *   Ensembles and pipelines run the members or steps they name.
 * Every decision under a spent budget says so in its reason:
 * `tenant acme spent $0.0123 of its $0.01 daily budget: cheapest model …`.
 * Pure, given `now`.
 */
export function withBudgets(router: FleetRouter, { fleet, settings, now = Date.now }: BudgetRouterOptions): FleetRouter {
  if (!hasBudgets(settings)) return router;
  return (spec, inputs) => {
    const snapshot = inputs.snapshot();
    const spent = spentBudget(settings, snapshot.budgets, spec.tenant);
    if (spent === undefined) return router(spec, inputs);
    const why = describeSpent(spent, settings.period);

    if (settings.whenSpent === 'refuse') {
      const resetsAt = periodWindow(settings.period, now()).endsAt;
      const until = new Date(resetsAt).toISOString();
      throw new BudgetExceededError(spent, resetsAt, `${why}; budgets.whenSpent is "refuse", so jobs of tenant ${spec.tenant} are refused until ${until}`);
    }

    const pinned = (decision: RouteDecision, note: string): RouteDecision => {
      const stays = decision.path.length > 1 ? `; the cascade stays on tier ${decision.tier}` : '';
      return { ...decision, path: [decision.tier], reason: `${decision.reason}; ${why}, ${note}${stays}` };
    };
    if (isFlowStrategy(spec.strategy)) {
      // A flow's path lists the tiers its children run on, not a cascade: it stays as it is.
      const decision = router(spec, inputs);
      return { ...decision, reason: `${decision.reason}; ${why}, but the ${spec.strategy}'s ${spec.strategy === 'ensemble' ? 'members' : 'steps'} run on the models it names` };
    }
    const variant = inputs.placedBy === 'experiment';
    if (!variant && spec.model !== undefined) return pinned(router(spec, inputs), `but the job's own model ${spec.model} wins`);
    if (!variant && spec.tier !== undefined) return pinned(router(spec, inputs), `but the job's own tier ${spec.tier} wins`);

    const cheapest = cheapestModel(fleet, inputs.job(), snapshot);
    if (cheapest === undefined) return pinned(router(spec, inputs), "but no model's context window holds the job, so the routers decide");
    const open = isBreakerOpen(snapshot, cheapest.model.id) ? ' (its breaker is open: every model that holds the job is)' : '';
    const stays = spec.strategy === 'cascade' ? `; the cascade stays on tier ${cheapest.tier}` : '';
    const placed = spec.model !== undefined ? `model ${spec.model}` : `tier ${spec.tier ?? ''}`;
    const over = variant ? `, over the experiment variant's ${placed}` : '';
    return {
      tier: cheapest.tier,
      model: cheapest.model.id,
      path: [cheapest.tier],
      reason: `${why}: cheapest model ${cheapest.model.id} on tier ${cheapest.tier} (est. ${formatUsd(cheapest.cost)})${open}${over}${stays}`,
    };
  };
}
