import type { Extractor } from '../confidence/extract-answer.js';
import type { Attempt } from '../job/attempt.js';
import { judgeGolden } from './judge-golden.js';

export interface FinishedForExperiment {
  state: 'completed' | 'failed';
  /** Only a cascade climbs: other jobs on several tiers (flows, classifier or budget hand-offs) did not escalate. */
  strategy: string;
  attempts: readonly Attempt[];
  /** Tiers a completed job climbed through, its entry tier first. */
  tiers?: readonly string[] | undefined;
  answerText?: string | undefined;
  metadata: Readonly<Record<string, string | number | boolean>>;
  enqueuedAt: number;
  finishedAt: number;
}

/** What one finished job adds to its variant's measurements. */
export interface JobMeasurement {
  state: 'completed' | 'failed';
  costUsd: number;
  escalated: boolean;
  /** Enqueue to finish, for completed jobs. */
  latencyMs?: number;
  /** Whether a completed job answered its golden answer; absent without one. */
  correct?: boolean;
}

/**
 * One finished job's contribution to its variant: its state, the cost of
 * all its attempts, whether it escalated, its enqueue-to-finish latency
 * when completed, and, when it has a golden answer, whether it got it
 * right. Pure.
 */
export function measureJob(job: FinishedForExperiment, extractor?: Extractor): JobMeasurement {
  const costUsd = job.attempts.reduce((sum, a) => sum + a.costUsd, 0);
  const escalated = didEscalate(job);
  if (job.state === 'failed') return { state: 'failed', costUsd, escalated };
  const correct = judgeGolden(job.answerText ?? '', job.metadata, extractor);
  return {
    state: 'completed',
    costUsd,
    escalated,
    latencyMs: Math.max(0, job.finishedAt - job.enqueuedAt),
    ...(correct === undefined ? {} : { correct }),
  };
}

/**
 * Whether a cascade climbed: an attempt escalated, or it answered on a tier
 * past its entry tier after trying the entry tier (a tier that could not
 * gather its votes climbs without an escalated attempt). A job handed to
 * another tier before any call there (a spent budget) did not climb.
 */
function didEscalate(job: Pick<FinishedForExperiment, 'strategy' | 'attempts' | 'tiers'>): boolean {
  if (job.strategy !== 'cascade') return false;
  if (job.attempts.some((a) => a.outcome === 'escalated')) return true;
  const [entry, ...above] = job.tiers ?? [];
  return above.length > 0 && job.attempts.some((a) => a.tier === entry);
}
