import type { StopReason, TokenUsage } from '../model-result.js';

/** The answer a job ends with. */
export interface JobAnswer {
  /** The answer text, with any self-reported confidence line removed. */
  text: string;
  tier: string;
  model: string;
  confidence: number;
  stopReason: StopReason;
  usage: TokenUsage;
  /** Cost of the call that produced this answer. */
  costUsd: number;
  /** Why the answer was kept (confidence, top of path, best answer after a failed escalation). */
  acceptedBecause: string;
}
