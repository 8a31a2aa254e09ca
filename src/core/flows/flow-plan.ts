import type { Extractor } from '../confidence/extract-answer.js';
import type { Attempt } from '../job/attempt.js';
import type { JobAnswer } from '../job/job-answer.js';
import type { ChildStatus } from './child-status.js';
import type { CombineKind, MemberFailurePolicy, StepFailurePolicy, StepTemplate } from './flow-definitions.js';
import type { FlowTarget } from './resolve-flow-target.js';

/** An ensemble as it was when the job was enqueued: later edits to the fleet file do not change a running job. */
export interface EnsemblePlan {
  members: { target: FlowTarget; weight: number }[];
  combine: CombineKind;
  extractor: Extractor;
  /** For `custom`: the module path as the fleet file gives it. */
  combiner?: string;
  onMemberFailure: MemberFailurePolicy;
  /** Where a fallback runs, under `{ fallback }`. */
  fallbackTarget?: FlowTarget;
  minMembers: number;
}

/** A pipeline as it was when the job was enqueued. */
export interface PipelinePlan {
  steps: { name: string; target: FlowTarget; template: StepTemplate }[];
  onStepFailure: StepFailurePolicy;
  fallbackTarget?: FlowTarget;
}

/** One child a flow parent has added (or is about to add: it is saved first) to a tier's queue. */
export interface FlowChildRef {
  /** BullMQ id of the child: fixed, so a parent that runs again never adds it twice. */
  childId: string;
  /** Ensemble: the member; pipeline: the step (both from 1). */
  index: number;
  tier: string;
  /** The model the child asks for first; the tier's order when unset. */
  model?: string;
  /** A run on the fallback model in place of a failed one. */
  fallback: boolean;
}

/** A child as its parent read it: where it stands, its attempts so far, and its answer once it has one. */
export interface ChildRead {
  ref: FlowChildRef;
  status: ChildStatus;
  attempts: Attempt[];
  answer?: JobAnswer;
}

export function refTarget(ref: FlowChildRef): FlowTarget {
  return ref.model === undefined ? { tier: ref.tier } : { tier: ref.tier, model: ref.model };
}

/** Cost of a child's attempts, rounded like the job totals. */
export function childCost(read: Pick<ChildRead, 'attempts'>): number {
  return Math.round(read.attempts.reduce((sum, a) => sum + a.costUsd, 0) * 1e8) / 1e8;
}
