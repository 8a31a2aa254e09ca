import type { Vote } from '../confidence/score-agreement.js';
import type { Attempt } from './attempt.js';
import type { JobAnswer } from './job-answer.js';

/** What a tier job returns when it completes: the answer and every attempt behind it. */
export interface TierOutcome {
  answer: JobAnswer;
  /** Every attempt, in order, on every tier the job reached. */
  attempts: Attempt[];
  /** Tiers the job climbed through, in order (the entry tier first). */
  tiers: string[];
  /** Under the agreement scorer: every vote cast, on every tier, in order. */
  votes?: Vote[];
}
