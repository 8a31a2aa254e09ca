import type { Extractor } from '../confidence/extract-answer.js';

/** How an ensemble turns its members' answers into one. */
export const COMBINE_KINDS = ['vote', 'mean', 'weighted-mean', 'custom'] as const;
export type CombineKind = (typeof COMBINE_KINDS)[number];

/** What an ensemble does when a member fails: fail the job, drop the member, or ask another model. */
export type MemberFailurePolicy = 'fail' | 'ignore' | { fallback: string };
/** What a pipeline does when a step fails: fail the job, skip the step (its input goes on), or ask another model. */
export type StepFailurePolicy = 'fail' | 'skip' | { fallback: string };

export interface EnsembleMemberDefinition {
  /** A model of some tier; the member runs on that tier. */
  model?: string | undefined;
  /** A tier; without a model, the tier's own order of models answers. */
  tier?: string | undefined;
  weight: number;
}

export interface EnsembleDefinition {
  members: readonly EnsembleMemberDefinition[];
  combine: CombineKind;
  /** What is compared (vote) or averaged (mean): defaults to `exact` for votes and `number` for means. */
  extractor?: Extractor | undefined;
  /** For `custom`: path of an ES module exporting the combining function (default export or `combine`). */
  combiner?: string | undefined;
  onMemberFailure: MemberFailurePolicy;
  /** Members that must answer for the ensemble to combine; 1 when unset. */
  minMembers?: number | undefined;
}

export interface StepTemplate {
  system?: string | undefined;
  /** `{{input}}` is the previous step's output (the job's input for the first step); `{{document}}` the job's input. */
  prompt: string;
}

export interface PipelineStepDefinition {
  name: string;
  tier?: string | undefined;
  model?: string | undefined;
  template: StepTemplate;
}

export interface PipelineDefinition {
  steps: readonly PipelineStepDefinition[];
  onStepFailure: StepFailurePolicy;
}

/** The named flows of a fleet file, as the core reads them. */
export interface FlowsShape {
  ensembles: Readonly<Record<string, EnsembleDefinition>>;
  pipelines: Readonly<Record<string, PipelineDefinition>>;
}

/** The strategies served as flows (a parent on the flows queue, model calls as children in tier queues). */
export const FLOW_STRATEGIES = ['ensemble', 'pipeline'] as const;
export type FlowKind = (typeof FLOW_STRATEGIES)[number];

export function isFlowStrategy(strategy: string): strategy is FlowKind {
  return (FLOW_STRATEGIES as readonly string[]).includes(strategy);
}

/**
 * The entry "tier" of every flow job: its parent waits on the fleet's flows
 * queue, not on a tier's. No tier may take this name.
 */
export const FLOWS_ENTRY = 'flows';

/** A member's or step's failure policy, as words for reasons and results. */
export function describePolicy(policy: MemberFailurePolicy | StepFailurePolicy): string {
  return typeof policy === 'string' ? policy : `fallback to ${policy.fallback}`;
}
