import type { EnsemblePlan, FlowChildRef, PipelinePlan } from '../../core/flows/flow-plan.js';
import type { FlowReport } from '../../core/flows/flow-report.js';
import type { TierOutcome } from '../../core/job/tier-outcome.js';
import type { TierJobData } from '../tier-job-data.js';

interface FlowStateBase {
  /** The flow's name in the fleet file. */
  name: string;
  /** Children in the order they were planned; saved before each is added. */
  children: FlowChildRef[];
  /** Set when the flow failed for good: what its result shows. */
  report?: FlowReport;
}

export interface EnsembleState extends FlowStateBase {
  kind: 'ensemble';
  plan: EnsemblePlan;
}

export interface PipelineState extends FlowStateBase {
  kind: 'pipeline';
  plan: PipelinePlan;
  /** The job's input text: the first step's `{{input}}`, and every step's `{{document}}`. */
  document: string;
  /** The job's own system prompts, sent after each step's. */
  system: string[];
}

export type FlowState = EnsembleState | PipelineState;

/** The payload of a flow's parent job in the flows queue: a client's job, plus its flow. */
export interface FlowJobData extends TierJobData {
  flow: FlowState;
}

/** What a flow's parent returns: an ordinary outcome (answer, every attempt, tiers) plus every member or step. */
export interface FlowOutcome extends TierOutcome {
  flow: FlowReport;
}

export function isFlowOutcome(outcome: TierOutcome): outcome is FlowOutcome {
  return 'flow' in outcome && typeof (outcome as Partial<FlowOutcome>).flow === 'object';
}

export function isFlowJobData(data: TierJobData): data is FlowJobData {
  return 'flow' in data && typeof (data as Partial<FlowJobData>).flow === 'object';
}
