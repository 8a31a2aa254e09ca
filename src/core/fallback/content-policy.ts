import type { StopReason } from '../model-result.js';

/** Stop reasons that mean the answer was withheld by a guardrail or the model's content filter. */
export const CONTENT_POLICY_STOPS: readonly StopReason[] = ['guardrail_intervened', 'content_filtered'];

export function isContentPolicyStop(stopReason: StopReason): boolean {
  return CONTENT_POLICY_STOPS.includes(stopReason);
}

/**
 * The model to ask again after a content-policy refusal, or undefined to keep
 * the refused answer: only when a fallback is configured, the answer was
 * refused, and the refusing model is not the fallback itself.
 */
export function contentPolicyRetryModel(input: {
  stopReason: StopReason;
  model: string;
  configured: string | undefined;
}): string | undefined {
  if (input.configured === undefined || !isContentPolicyStop(input.stopReason)) return undefined;
  return input.configured === input.model ? undefined : input.configured;
}
