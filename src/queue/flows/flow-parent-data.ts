import type { FleetConfig } from '../../config/fleet-schema.js';
import { ensembleExtractor } from '../../core/flows/extract-member-answer.js';
import { flowTarget } from '../../core/flows/resolve-flow-target.js';
import type { PreparedJob } from '../create-producer.js';
import type { TierJobData } from '../tier-job-data.js';
import type { FlowJobData, FlowState } from './flow-job-data.js';

function flowState(job: PreparedJob, fleet: FleetConfig): FlowState {
  const { spec } = job;
  const name = spec.flow ?? '';
  const tiers = fleet.tiers;
  if (spec.strategy === 'ensemble') {
    const def = fleet.flows.ensembles[name];
    if (def === undefined) throw new Error(`no ensemble is named "${name}"`);
    const policy = def.onMemberFailure;
    return {
      kind: 'ensemble',
      name,
      children: [],
      plan: {
        members: def.members.map((m) => ({ target: flowTarget(tiers, m), weight: m.weight })),
        combine: def.combine,
        extractor: ensembleExtractor(def.combine, def.extractor),
        ...(def.combiner === undefined ? {} : { combiner: def.combiner }),
        onMemberFailure: policy,
        ...(typeof policy === 'string' ? {} : { fallbackTarget: flowTarget(tiers, { model: policy.fallback }) }),
        minMembers: def.minMembers ?? 1,
      },
    };
  }
  const def = fleet.flows.pipelines[name];
  if (def === undefined) throw new Error(`no pipeline is named "${name}"`);
  const policy = def.onStepFailure;
  const system = spec.system === undefined ? [] : typeof spec.system === 'string' ? [spec.system] : spec.system;
  return {
    kind: 'pipeline',
    name,
    children: [],
    document: spec.document ?? spec.prompt ?? '',
    system,
    plan: {
      steps: def.steps.map((s) => ({ name: s.name, target: flowTarget(tiers, s), template: s.template })),
      onStepFailure: policy,
      ...(typeof policy === 'string' ? {} : { fallbackTarget: flowTarget(tiers, { model: policy.fallback }) }),
    },
  };
}

/**
 * The data of a flow's parent job: the job as any other (`toData`), plus its
 * flow as configured now (members or steps resolved to tiers and models), so
 * a later edit of the fleet file does not change a job already enqueued. A
 * pipeline's own request is its input as a plain prompt: each step renders
 * its own from its template.
 */
export function flowParentData(job: PreparedJob, fleet: FleetConfig, toData: (job: PreparedJob) => TierJobData): FlowJobData {
  const flow = flowState(job, fleet);
  if (flow.kind === 'ensemble') return { ...toData(job), flow };
  const asPrompt: PreparedJob = { ...job, spec: { ...job.spec, document: undefined, template: undefined, prompt: flow.document } };
  return { ...toData(asPrompt), flow };
}
