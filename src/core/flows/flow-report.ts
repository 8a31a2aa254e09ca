import type { CombineKind, FlowKind } from './flow-definitions.js';

/**
 * What became of one child of a flow (an ensemble member, a pipeline step,
 * or a fallback run in its place):
 * - `pending`: not added yet (a later pipeline step);
 * - `queued` / `active`: waiting in, or running on, its tier;
 * - `answered`: its answer counted (ensemble) or was passed on (pipeline);
 * - `failed`: it failed, and so did the job;
 * - `ignored`: it failed and the ensemble went on without it;
 * - `skipped`: it failed and the pipeline passed its input on;
 * - `replaced`: it failed and a fallback ran in its place.
 */
export type FlowChildOutcome = 'pending' | 'queued' | 'active' | 'answered' | 'failed' | 'ignored' | 'skipped' | 'replaced';

interface FlowChildView {
  tier: string;
  /** The model asked for; the tier's order when unset. */
  model?: string;
  /** The model that answered. */
  answeredModel?: string;
  /** True for a run on the fallback model in place of a failed one. */
  fallback: boolean;
  outcome: FlowChildOutcome;
  error?: string;
  /** Cost of every attempt of this child. */
  costUsd: number;
  /** Why this outcome, when it was a decision (ignored, skipped, replaced). */
  note?: string;
}

/** One ensemble member (or its fallback) on a job's result. */
export interface FlowMemberView extends FlowChildView {
  /** Position of the member in the ensemble, from 1. */
  member: number;
  weight: number;
  /** The member's answer text. */
  text?: string;
  /** What the extractor found in it; unset for an abstention. */
  answer?: string;
}

/** One pipeline step (or its fallback) on a job's result. */
export interface FlowStepView extends FlowChildView {
  /** Position of the step in the pipeline, from 1. */
  step: number;
  name: string;
  /** The step's output, passed to the next step. */
  output?: string;
}

/** What a flow job shows beside its answer: which flow, and every member or step. */
export type FlowReport =
  | { kind: 'ensemble'; name: string; combine: CombineKind; onMemberFailure: string; members: FlowMemberView[] }
  | { kind: 'pipeline'; name: string; onStepFailure: string; steps: FlowStepView[] };

/** The flow fields of a job's result. */
export interface FlowResultFields {
  flow: { kind: FlowKind; name: string; policy: string; combine?: CombineKind };
  members?: FlowMemberView[];
  steps?: FlowStepView[];
}

export function flowResultFields(report: FlowReport): FlowResultFields {
  if (report.kind === 'ensemble') {
    return { flow: { kind: 'ensemble', name: report.name, policy: report.onMemberFailure, combine: report.combine }, members: report.members };
  }
  return { flow: { kind: 'pipeline', name: report.name, policy: report.onStepFailure }, steps: report.steps };
}
