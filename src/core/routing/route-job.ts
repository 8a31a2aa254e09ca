import { policyFor, policyLabel } from '../cascade/cascade-policy.js';
import type { FleetShape } from '../fleet-shape.js';
import type { JobSpec } from '../job/job-spec.js';
import type { RouteDecision } from '../job/route-decision.js';

function tierOfModel(fleet: FleetShape, model: string): string | undefined {
  return fleet.tiers.find((t) => t.models.some((m) => m.id === model))?.name;
}

/**
 * The cascade path from `from` up: the tiers above it on the task's policy
 * path (or the fleet's), in tier order; only `from` when the policy says no
 * cascade.
 */
export function cascadePath(fleet: FleetShape, from: string, task: string): string[] {
  const policy = policyFor(fleet.cascade, task);
  if (policy?.cascade === false) return [from];
  const order = fleet.tiers.map((t) => t.name);
  const full = policy?.path ?? fleet.cascade.path ?? order;
  const rank = order.indexOf(from);
  return [from, ...full.filter((tier) => order.indexOf(tier) > rank)];
}

/** Where a cascade of this task starts: the lowest tier of its policy's path, or of the fleet's. */
export function cascadeEntry(fleet: FleetShape, task: string): string {
  const policy = policyFor(fleet.cascade, task);
  return (policy?.path ?? fleet.cascade.path ?? fleet.tiers.map((t) => t.name))[0] ?? '';
}

/**
 * The entry tier (and model, when one is chosen) of a validated job, with
 * the reason. An explicit model or tier on the job wins; a cascade starts at
 * the lowest tier of its path; a routed job follows the routing table for
 * its task type. A pure function.
 */
export function routeJob(spec: JobSpec, fleet: FleetShape): RouteDecision {
  const cascade = spec.strategy === 'cascade';
  if (spec.model !== undefined) {
    const tier = spec.tier ?? tierOfModel(fleet, spec.model);
    if (tier === undefined) throw new Error(`model "${spec.model}" is not in any tier`);
    return {
      tier,
      model: spec.model,
      path: cascade ? cascadePath(fleet, tier, spec.task) : [tier],
      reason: `the job asked for model ${spec.model} (tier ${tier})`,
    };
  }
  if (spec.tier !== undefined) {
    return {
      tier: spec.tier,
      path: cascade ? cascadePath(fleet, spec.tier, spec.task) : [spec.tier],
      reason: `the job asked for tier ${spec.tier}`,
    };
  }
  if (cascade) {
    const policy = policyFor(fleet.cascade, spec.task);
    const path = cascadePath(fleet, cascadeEntry(fleet, spec.task), spec.task);
    const under = policy === undefined ? '' : ` (${policyLabel(policy)}, scorer ${policy.scorer})`;
    if (path.length === 1) return { tier: path[0] ?? '', path, reason: `no cascade for task "${spec.task}"${under}: tier ${path[0]} answers` };
    return { tier: path[0] ?? '', path, reason: `cascade starts at the lowest tier of ${path.join(' → ')}${under}` };
  }
  const listed = fleet.routing.tasks[spec.task];
  const target = listed ?? fleet.routing.default;
  const model = target === 'primary' ? fleet.routing.primary : target === 'fallback' ? fleet.routing.fallback : target;
  const tier = tierOfModel(fleet, model);
  if (tier === undefined) throw new Error(`routing target "${target}" (${model}) is not in any tier`);
  const why = listed === undefined ? `task "${spec.task}" is not in the routing table, so the default` : `task "${spec.task}" routes to`;
  const named = target === model ? model : `${target} (${model})`;
  return { tier, model, path: [tier], reason: `${why} ${named} on tier ${tier}` };
}
