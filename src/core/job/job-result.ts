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
  /** Totals over every attempt. */
  usage: TokenUsage;
  costUsd: number;
  /** Set when failed. */
  error?: { message: string };
}
