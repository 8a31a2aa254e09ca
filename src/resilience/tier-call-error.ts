import type { Attempt } from '../core/job/attempt.js';
import type { ModelCallError } from '../core/model-call-error.js';

export type TierCallFailureReason = 'unrecoverable' | 'all-throttled' | 'exhausted' | 'cancelled';

export interface TierCallErrorInit {
  tier: string;
  reason: TierCallFailureReason;
  attempts: Attempt[];
  lastError: ModelCallError | undefined;
  retryAfterMs?: number;
}

/** Why one job could not get an answer from any model of a tier. */
export class TierCallError extends Error {
  override readonly name = 'TierCallError';
  readonly tier: string;
  readonly reason: TierCallFailureReason;
  /** Every failed or skipped call, in order. */
  readonly attempts: Attempt[];
  readonly lastError: ModelCallError | undefined;
  /** For `all-throttled`: how long until a model of the tier may answer again. */
  readonly retryAfterMs: number | undefined;

  constructor(init: TierCallErrorInit) {
    super(describe(init), { cause: init.lastError });
    this.tier = init.tier;
    this.reason = init.reason;
    this.attempts = init.attempts;
    this.lastError = init.lastError;
    this.retryAfterMs = init.retryAfterMs;
  }
}

function describeAttempt(attempt: Attempt): string {
  if (attempt.outcome === 'breaker-open') return `${attempt.model} breaker open`;
  if (attempt.error) return `${attempt.model} ${attempt.error.kind} (${attempt.error.code})`;
  return `${attempt.model} ${attempt.outcome}`;
}

/** `a transient (X) ×2, b throttled (Y)`: consecutive repeats folded. */
export function summarizeAttempts(attempts: readonly Attempt[]): string {
  const parts: { text: string; count: number }[] = [];
  for (const attempt of attempts) {
    const text = describeAttempt(attempt);
    const last = parts.at(-1);
    if (last?.text === text) last.count += 1;
    else parts.push({ text, count: 1 });
  }
  if (parts.length === 0) return 'no calls made';
  return parts.map(({ text, count }) => (count > 1 ? `${text} ×${count}` : text)).join(', ');
}

function describe({ tier, reason, attempts, lastError, retryAfterMs }: TierCallErrorInit): string {
  const summary = summarizeAttempts(attempts);
  switch (reason) {
    case 'unrecoverable':
      return lastError
        ? `tier ${tier}: ${lastError.modelId} refused the request, ${lastError.kind} (${lastError.code}): ${lastError.message}`
        : `tier ${tier}: the request cannot succeed on any model: ${summary}`;
    case 'cancelled':
      return `call on tier ${tier} was cancelled after: ${summary}`;
    case 'all-throttled':
      return `every model of tier ${tier} is throttled or its breaker open: ${summary}; retry in ${String(retryAfterMs ?? 0)} ms`;
    case 'exhausted':
      return `every model of tier ${tier} failed: ${summary}`;
  }
}
