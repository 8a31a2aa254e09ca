import type { Vote } from '../confidence/score-agreement.js';
import type { ConversationRef } from '../conversations/conversation-turn.js';
import type { ExperimentRef } from '../experiments/experiment-shape.js';
import type { FlowMemberView, FlowResultFields, FlowStepView } from '../flows/flow-report.js';
import type { Attempt } from './attempt.js';
import type { JobAnswer } from './job-answer.js';
import type { RouteDecision } from './route-decision.js';
import type { Strategy } from './job-spec.js';
import type { TokenUsage } from '../model-result.js';

export const JOB_STATES = ['queued', 'active', 'escalated', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A job as its client sees it, whichever tier holds or answered it. */
export interface JobResult {
  id: string;
  state: JobState;
  tenant: string;
  task: string;
  strategy: Strategy;
  tags: Record<string, string>;
  /** The tier holding the job now (while escalated: the tier its child waits on). */
  tier: string;
  route: RouteDecision;
  enqueuedAt: number;
  finishedAt?: number;
  /** Set when completed. */
  answer?: JobAnswer;
  /** Every attempt so far, on every tier. */
  attempts: Attempt[];
  /** Under the agreement scorer: the votes behind the answer. */
  votes?: Vote[];
  /** Totals over every attempt. */
  usage: TokenUsage;
  costUsd: number;
  /** Set when failed. */
  error?: { message: string };
  /** The conversation the job continued, and how many earlier exchanges its request included. */
  conversation?: ConversationRef;
  /** The A/B experiment and variant the job was given. */
  experiment?: ExperimentRef;
  /** Ensemble and pipeline jobs: which flow, its failure policy and (ensembles) how answers combine. See docs/flows.md. */
  flow?: FlowResultFields['flow'];
  /** Ensembles: every member (and fallback run), its answer, extracted answer, weight, outcome and cost. */
  members?: FlowMemberView[];
  /** Pipelines: every step (and fallback run), its output, outcome and cost; steps not reached yet are `pending`. */
  steps?: FlowStepView[];
}
