import type { FleetShape } from '../fleet-shape.js';
import type { RouteDecision } from '../job/route-decision.js';
import { describePolicy, FLOWS_ENTRY, type FlowKind, type FlowsShape } from './flow-definitions.js';
import { describeTarget, flowTarget } from './resolve-flow-target.js';

/**
 * The route of a flow job: its parent enters the flows queue, and the reason
 * names the flow, its members or steps and where each runs, and its policy.
 * `path` lists the tiers the flow's children run on, in order of first use.
 * Pure; the flow was checked when the job was parsed.
 */
export function routeFlow(spec: { strategy: FlowKind; flow?: string | undefined }, fleet: Pick<FleetShape, 'tiers'> & { flows?: FlowsShape | undefined }): RouteDecision {
  const name = spec.flow ?? '';
  if (spec.strategy === 'ensemble') {
    const def = fleet.flows?.ensembles[name];
    if (def === undefined) throw new Error(`no ensemble is named "${name}"`);
    const targets = def.members.map((m) => flowTarget(fleet.tiers, m));
    return {
      tier: FLOWS_ENTRY,
      path: [...new Set(targets.map((t) => t.tier))],
      reason:
        `ensemble "${name}": ${targets.length} member${targets.length === 1 ? '' : 's'} (${targets.map(describeTarget).join(', ')}) ` +
        `combined by ${def.combine}; a failed member: ${describePolicy(def.onMemberFailure)}`,
    };
  }
  const def = fleet.flows?.pipelines[name];
  if (def === undefined) throw new Error(`no pipeline is named "${name}"`);
  const steps = def.steps.map((s) => ({ name: s.name, target: flowTarget(fleet.tiers, s) }));
  return {
    tier: FLOWS_ENTRY,
    path: [...new Set(steps.map((s) => s.target.tier))],
    reason:
      `pipeline "${name}": ${steps.length} step${steps.length === 1 ? '' : 's'} (${steps.map((s) => `${s.name} on ${describeTarget(s.target)}`).join(' → ')}); ` +
      `a failed step: ${describePolicy(def.onStepFailure)}`,
  };
}
