import type { FleetSnapshot } from './fleet-snapshot.js';
import type { RoutableJob } from './routable-job.js';
import type { RouteChoice, Router } from './router.js';
import { tierOfModel, type RoutingFleet } from './routing-fleet.js';

/** A routing function from outside the fleet: anything may come back. */
export type UntrustedRouter = (job: RoutableJob, snapshot: FleetSnapshot) => unknown;

export interface GuardRouterOptions {
  fleet: RoutingFleet;
  /** Names the function in messages, e.g. `custom router /etc/fleet/route.mjs`. */
  label: string;
  /** Told why a choice was refused; the next router then decides. */
  warn: (message: string) => void;
}

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
};

/**
 * Makes a user's routing function safe to ask: its answer must be
 * `undefined` (no opinion) or `{ tier?, model?, reason? }` naming a tier of
 * the fleet and/or a model of that tier (a model alone goes to its tier).
 * Anything else (a tier or model not in the fleet, a Promise, a throw) is
 * told to `warn`, naming the function, and counts as no opinion so the next
 * router decides. Pure but for `warn`.
 */
export function guardRouter(fn: UntrustedRouter, { fleet, label, warn }: GuardRouterOptions): Router {
  const tiers = fleet.tiers.map((t) => t.name);
  const refuse = (why: string): undefined => {
    warn(`${label} ${why}; the next router decides`);
    return undefined;
  };
  return (job, snapshot) => {
    let value: unknown;
    try {
      value = fn(job, snapshot);
    } catch (error) {
      return refuse(`threw: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (value === undefined || value === null) return undefined;
    if (value instanceof Promise || (typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function')) {
      return refuse('returned a Promise; a routing function must answer synchronously');
    }
    if (typeof value !== 'object' || Array.isArray(value)) return refuse(`returned ${describe(value)}; expected { tier, model?, reason } or undefined`);
    const { tier, model, reason } = value as { tier?: unknown; model?: unknown; reason?: unknown };
    if (tier !== undefined && typeof tier !== 'string') return refuse(`returned a tier that is ${describe(tier)}; expected a tier name`);
    if (model !== undefined && typeof model !== 'string') return refuse(`returned a model that is ${describe(model)}; expected a model id`);
    if (tier === undefined && model === undefined) return refuse('returned neither a tier nor a model');
    if (tier !== undefined && !tiers.includes(tier)) {
      return refuse(`chose tier "${tier}", which is not in the fleet (tiers: ${tiers.join(', ')})`);
    }
    const home = model === undefined ? undefined : tierOfModel(fleet, model);
    if (model !== undefined && home === undefined) return refuse(`chose model "${model}", which is in no tier of the fleet`);
    const chosenTier = tier ?? home;
    if (chosenTier === undefined) return refuse('returned neither a tier nor a model');
    const tierConfig = fleet.tiers.find((t) => t.name === chosenTier);
    if (model !== undefined && tierConfig?.models.some((m) => m.id === model) !== true) {
      return refuse(`chose model "${model}" on tier "${chosenTier}", but that tier does not list it`);
    }
    const choice: RouteChoice = {
      tier: chosenTier,
      reason: typeof reason === 'string' && reason.trim() !== '' ? reason : 'no reason given',
    };
    if (model !== undefined) choice.model = model;
    return choice;
  };
}
