import type { Extractor } from '../confidence/extract-answer.js';
import type { Attempt } from '../job/attempt.js';
import { judgeGolden } from './judge-golden.js';

export interface FinishedForExperiment {
  state: 'completed' | 'failed';
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
 * all its attempts, whether it escalated (climbed past its entry tier, or
 * had an attempt escalate), its enqueue-to-finish latency when completed,
 * and, when it has a golden answer, whether it got it right. Pure.
 */
export function measureJob(job: FinishedForExperiment, extractor?: Extractor): JobMeasurement {
  const costUsd = job.attempts.reduce((sum, a) => sum + a.costUsd, 0);
  const escalated = (job.tiers?.length ?? 0) > 1 || job.attempts.some((a) => a.outcome === 'escalated');
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
