import { FLOWS_ENTRY } from '../core/flows/flow-definitions.js';
import { resolveFlowTarget } from '../core/flows/resolve-flow-target.js';
import type { FlowsConfig } from './flows-schema.js';

interface Problem {
  path: (string | number)[];
  message: string;
}

type Tiers = readonly { name: string; models: readonly { id: string }[] }[];

/**
 * Checks the flows section against the tiers: every member, step and
 * fallback names a tier or model of the fleet (a model in the tier it
 * names), and no tier takes the name the flows queue's jobs are indexed by.
 */
export function checkFlowReferences(fleet: { tiers: Tiers; flows?: FlowsConfig | undefined }): Problem[] {
  const problems: Problem[] = [];
  fleet.tiers.forEach((tier, ti) => {
    if (tier.name === FLOWS_ENTRY) {
      problems.push({ path: ['tiers', ti, 'name'], message: `the tier name "${FLOWS_ENTRY}" is reserved for the flows queue; pick another name` });
    }
  });
  const flows = fleet.flows;
  if (flows === undefined) return problems;
  const check = (path: (string | number)[], want: { tier?: string | undefined; model?: string | undefined }): void => {
    const resolved = resolveFlowTarget(fleet.tiers, want);
    if (!resolved.ok) problems.push({ path: [...path, resolved.field], message: resolved.message });
  };
  const checkFallback = (path: (string | number)[], policy: string | { fallback: string }): void => {
    if (typeof policy === 'string') return;
    const resolved = resolveFlowTarget(fleet.tiers, { model: policy.fallback });
    if (!resolved.ok) problems.push({ path: [...path, 'fallback'], message: resolved.message });
  };
  for (const [name, ensemble] of Object.entries(flows.ensembles)) {
    const at = ['flows', 'ensembles', name];
    ensemble.members.forEach((member, i) => check([...at, 'members', i], member));
    checkFallback([...at, 'onMemberFailure'], ensemble.onMemberFailure);
  }
  for (const [name, pipeline] of Object.entries(flows.pipelines)) {
    const at = ['flows', 'pipelines', name];
    pipeline.steps.forEach((step, i) => check([...at, 'steps', i], step));
    checkFallback([...at, 'onStepFailure'], pipeline.onStepFailure);
  }
  const both = Object.keys(flows.ensembles).filter((name) => flows.pipelines[name] !== undefined);
  for (const name of both) {
    problems.push({ path: ['flows', 'pipelines', name], message: `"${name}" names both an ensemble and a pipeline; expected unique flow names` });
  }
  return problems;
}
