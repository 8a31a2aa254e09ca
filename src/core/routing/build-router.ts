import type { FleetShape } from '../fleet-shape.js';
import type { JobSpec } from '../job/job-spec.js';
import type { RouteDecision } from '../job/route-decision.js';
import { createAdaptiveRouter } from './adaptive-router.js';
import { createCostRouter } from './cost-router.js';
import type { FleetSnapshot } from './fleet-snapshot.js';
import { createLatencyRouter } from './latency-router.js';
import type { RoutableJob } from './routable-job.js';
import { routeJob } from './route-job.js';
import type { Router } from './router.js';
import type { RoutingFleet } from './routing-fleet.js';
import type { RoutingRule } from './routing-rule.js';
import { createRulesRouter } from './rules-router.js';

/** Routers that choose a job's tier (and maybe its model); `table` is the routing table by task. */
export type TierRouterName = 'table' | 'rules' | 'cost' | 'latency' | 'adaptive' | 'custom' | 'classifier';
/** Routers that choose the model within the tier the first layer chose. */
export type ModelRouterName = 'cost' | 'latency' | 'adaptive' | 'custom';

/** The router settings of the fleet file's `routing` (the config layer's RoutingConfig satisfies it). */
export interface RouterSettings {
  router?: TierRouterName | undefined;
  modelRouter?: ModelRouterName | undefined;
  rules?: readonly RoutingRule[] | undefined;
  classifier?: { labels: readonly string[] } | undefined;
}

/** What the builder reads of the fleet; FleetConfig satisfies it. */
export type BuildRouterFleet = FleetShape & RoutingFleet & { routing: FleetShape['routing'] & RouterSettings };

export interface BuildRouterOptions {
  /** The user's routing function (`routing.custom`), loaded and guarded by the config layer. */
  custom?: Router | undefined;
  /** A uniform number in [0, 1) for the adaptive router's exploration; `Math.random` by default. */
  random?: () => number;
}

/** What a fleet router reads, asked for only when needed (the routing table reads neither). */
export interface RouteInputs {
  job(): RoutableJob;
  snapshot(): FleetSnapshot;
  /** `experiment` when the job's tier or model came from an A/B variant rather than from the job itself. */
  placedBy?: 'job' | 'experiment';
}

/** Routes a validated job: its entry tier, maybe a model, the cascade path, and why. */
export type FleetRouter = (spec: JobSpec, inputs: RouteInputs) => RouteDecision;

/** Whether the configured routers read the fleet snapshot (breakers, stats, queue depths). */
export function routerReadsSnapshot(routing: RouterSettings): boolean {
  const reads = (name: string | undefined): boolean => name === 'cost' || name === 'latency' || name === 'adaptive' || name === 'custom';
  return reads(routing.router) || routing.modelRouter !== undefined;
}

/** Prefixes a router's reasons with its name, so a layered reason says who chose what. */
function named(name: string, router: Router): Router {
  return (job, snapshot) => {
    const choice = router(job, snapshot);
    return choice === undefined ? undefined : { ...choice, reason: `${name} router: ${choice.reason}` };
  };
}

/** The routing table's decision for the job's task, as if it had asked for no tier or model. */
function tableDecision(fleet: BuildRouterFleet, spec: JobSpec): RouteDecision {
  return routeJob({ ...spec, strategy: 'route', tier: undefined, model: undefined }, fleet);
}

/**
 * The rules (in order, the first match wins), then the routing table for the
 * job's task when no rule matches (or there are none). The rules router of
 * the first layer, and the classifier's second step once the task is labelled.
 */
export function createRulesThenTable(fleet: BuildRouterFleet): (spec: JobSpec, job: RoutableJob) => RouteDecision {
  const rules = (fleet.routing.rules ?? []).length === 0 ? undefined : createRulesRouter({ rules: fleet.routing.rules ?? [], fleet });
  return (spec, job) => {
    const choice = rules?.(job, { breakers: {}, stats: {}, queueDepth: {} });
    if (choice === undefined) {
      const table = tableDecision(fleet, spec);
      return rules === undefined ? table : { ...table, reason: `no routing rule matched; ${table.reason}` };
    }
    return { tier: choice.tier, ...(choice.model === undefined ? {} : { model: choice.model }), path: [choice.tier], reason: choice.reason };
  };
}

/** The router a `routing.router` or `routing.modelRouter` setting names, when it is one built here (`field` names the setting, for errors). */
function routerNamed(fleet: BuildRouterFleet, name: string | undefined, options: BuildRouterOptions, field: string): Router | undefined {
  switch (name) {
    case 'cost':
      return createCostRouter({ fleet });
    case 'latency':
      return createLatencyRouter({ fleet });
    case 'adaptive':
      return createAdaptiveRouter({ fleet, random: options.random ?? Math.random });
    case 'custom':
      return needCustom(options, field);
    default:
      return undefined;
  }
}

function needCustom(options: BuildRouterOptions, field: string): Router {
  if (options.custom === undefined) {
    throw new Error(`${field} is "custom" but no custom router was loaded: load "routing.custom" with loadCustomRouter first`);
  }
  return options.custom;
}

/**
 * Builds the fleet's router once from its `routing` settings. Pure, given
 * `random`. In order:
 * 1. an explicit model on the job wins; an explicit tier stands (a router
 *    may only pick a model within it), and so does a cascade's entry tier
 *    (both as `routeJob` decides them, paths included);
 * 2. otherwise the configured router (`routing.router`) picks the tier, and
 *    maybe a model; the classifier sends the job to the cheapest tier to be
 *    labelled first (`classify`);
 * 3. the routing table decides when the router has no opinion (or none is
 *    configured);
 * 4. the model router (`routing.modelRouter`), when configured, then picks
 *    the model within the chosen tier (explicit tiers and cascade entries
 *    included), keeping the first layer's model when it has no opinion.
 * The reason names each router and what it saw. A fleet without either
 * setting routes exactly as `routeJob`.
 */
export function buildRouter(fleet: BuildRouterFleet, options: BuildRouterOptions = {}): FleetRouter {
  const name = fleet.routing.router ?? 'table';
  const rulesThenTable = createRulesThenTable(fleet);
  const modelName = fleet.routing.modelRouter;
  const model = routerNamed(fleet, modelName, options, 'routing.modelRouter');
  const modelLayerOf = model === undefined || modelName === undefined ? undefined : { name: modelName, router: model };
  const tierRouter = routerNamed(fleet, name, options, 'routing.router');
  const cheapest = fleet.tiers[0]?.name;
  if (name === 'classifier' && cheapest === undefined) throw new Error('the classifier router needs at least one tier');
  const labels = fleet.routing.classifier?.labels ?? [];

  /** The second layer: the model router (or `layer`) picks the model within the decision's tier. */
  const withinTier = (
    decision: RouteDecision,
    inputs: RouteInputs,
    layer: { name: string; router: Router } | undefined = modelLayerOf,
  ): RouteDecision => {
    if (layer === undefined) return decision;
    const pick = layer.router({ ...inputs.job(), tier: decision.tier }, inputs.snapshot());
    if (pick?.model === undefined || pick.tier !== decision.tier) {
      const kept = decision.model === undefined ? "the tier's own model order" : decision.model;
      return { ...decision, reason: `${decision.reason}; within tier ${decision.tier}, the ${layer.name} router had no opinion, so ${kept}` };
    }
    return { ...decision, model: pick.model, reason: `${decision.reason}; within tier ${decision.tier}, ${layer.name} router: ${pick.reason}` };
  };
  /** Within a tier the job asked for: the model router, else a tier router that picks models (as respectJobChoice). */
  const withinAsked = modelLayerOf ?? (tierRouter === undefined ? undefined : { name, router: tierRouter });

  return (spec, inputs) => {
    if (spec.model !== undefined) return routeJob(spec, fleet);
    if (spec.tier !== undefined) return withinTier(routeJob(spec, fleet), inputs, withinAsked);
    if (spec.strategy === 'cascade') return withinTier(routeJob(spec, fleet), inputs);
    if (name === 'classifier' && cheapest !== undefined) {
      return {
        tier: cheapest,
        path: [cheapest],
        reason: `classifier router: tier ${cheapest} labels the task (${labels.join(', ')}), then the rules route it`,
        classify: true,
      };
    }
    if (name === 'rules') {
      const decision = rulesThenTable(spec, inputs.job());
      return withinTier({ ...decision, reason: `rules router: ${decision.reason}` }, inputs);
    }
    if (tierRouter === undefined) return withinTier(tableDecision(fleet, spec), inputs);
    const choice = named(name, tierRouter)(inputs.job(), inputs.snapshot());
    if (choice === undefined) {
      const table = tableDecision(fleet, spec);
      return withinTier({ ...table, reason: `${name} router had no opinion; ${table.reason}` }, inputs);
    }
    const decision: RouteDecision = {
      tier: choice.tier,
      ...(choice.model === undefined ? {} : { model: choice.model }),
      path: [choice.tier],
      reason: choice.reason,
    };
    return withinTier(decision, inputs);
  };
}
