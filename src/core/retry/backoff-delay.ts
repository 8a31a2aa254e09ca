export interface BackoffInput {
  /** 0-based: 0 for the wait before the first retry. */
  retry: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A number in [0, 1); `Math.random` in production, fixed in tests. */
  random: () => number;
}

/**
 * Exponential backoff with "full jitter": a uniformly random wait between 0
 * and `min(maxDelayMs, baseDelayMs * 2^retry)`, rounded to whole ms.
 */
export function backoffDelay({ retry, baseDelayMs, maxDelayMs, random }: BackoffInput): number {
  if (baseDelayMs <= 0 || maxDelayMs <= 0) return 0;
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry));
  return Math.round(random() * ceiling);
}
