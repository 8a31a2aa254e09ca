import type { Job } from 'bullmq';
import type { Vote } from '../core/confidence/score-agreement.js';
import type { ConversationRef } from '../core/conversations/conversation-turn.js';
import type { ExperimentRef } from '../core/experiments/experiment-shape.js';
import type { Attempt } from '../core/job/attempt.js';
import type { JobAnswer } from '../core/job/job-answer.js';
import type { Strategy } from '../core/job/job-spec.js';
import type { RenderedRequest } from '../core/job/render-request.js';
import type { RouteDecision } from '../core/job/route-decision.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { StopReason, TokenUsage } from '../core/model-result.js';

/** A vote cast under the agreement scorer, with the answer it came from. */
export interface CastVote extends Vote {
  text: string;
  stopReason: StopReason;
  usage: TokenUsage;
  costUsd: number;
}

/** Set on a job that escalated and waits for its child on the next tier. */
export interface EscalationState {
  toTier: string;
  /** BullMQ id of the child job in the next tier's queue. */
  childId: string;
  /** This tier's answer, kept in case the child fails; none when the job was handed on before any answer (the child's failure is the job's). */
  best?: JobAnswer;
  reason: string;
  /** The model the child asks first (a classifier rule's model); unset, the child's tier keeps its own order. */
  model?: string;
}

/** The payload of a job in a tier queue (a client's job, or the child an escalation added). */
export interface TierJobData {
  /** The client's job id; children carry their root's id. */
  id: string;
  tenant: string;
  task: string;
  strategy: Strategy;
  tags: Record<string, string>;
  metadata: Record<string, string | number | boolean>;
  /** The conversation every tier answers. */
  request: RenderedRequest;
  /** The conversation for models of a family its template has a variant for, by family; `request` for the others. */
  requestByFamily?: Record<string, RenderedRequest>;
  route: RouteDecision;
  /** Tiers this job may still climb, its own tier first. */
  path: string[];
  /** The model to try first on this tier, when the router chose one. */
  model?: string;
  /** The job named its own tier or model (an A/B variant's does not count): a spent budget does not move it. */
  placedByJob?: true;
  priority?: number;
  /** Called when the job finishes. */
  webhook?: { url: string; secret?: string };
  batchId?: string;
  /** Call ConverseStream instead of Converse. */
  stream?: boolean;
  enqueuedAt: number;
  /** Digest of the request the client made (job-fingerprint.ts): a repeat of the id with another one is refused. */
  fingerprint?: string;
  /** Every attempt before this job's current one, on every tier. */
  attempts: Attempt[];
  escalation?: EscalationState;
  /** The conversation this job continues; its requests start with `historyMessages` messages of history. */
  conversation?: ConversationRef;
  /** The A/B experiment and variant this job was given. */
  experiment?: ExperimentRef;
  /** Votes cast so far under the agreement scorer, on every tier; they travel with escalations. */
  votes?: CastVote[];
}

/** A job in a tier's queue, as the tier worker holds it. */
export type TierJob = Job<TierJobData, TierOutcome>;
