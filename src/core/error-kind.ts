/**
 * Every Converse failure is classified once into one of these kinds; every
 * later decision (retry, fall back, trip a breaker, fail the job) reads the
 * kind, never the raw SDK error. See ARCHITECTURE.md, "Errors".
 */
export const ERROR_KINDS = [
  'throttled',
  'transient',
  'context-window',
  'invalid-request',
  'model-unavailable',
  'cancelled',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Kinds worth trying again on the same model after a backoff. */
export function isRetryableKind(kind: ErrorKind): boolean {
  return kind === 'throttled' || kind === 'transient';
}

/** Kinds that count as a failure of the model toward its circuit breaker. */
export function tripsBreaker(kind: ErrorKind): boolean {
  return kind === 'transient';
}

/** Kinds after which another model of the tier may serve the request. */
export function allowsNextModel(kind: ErrorKind): boolean {
  return kind === 'throttled' || kind === 'transient' || kind === 'model-unavailable';
}
