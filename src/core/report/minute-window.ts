const MINUTE_MS = 60_000;

/** Whole minutes since the epoch: the name of the statistics bucket `ms` falls in. */
export function epochMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

/** The epoch minutes of the last `minutes` minutes up to and including the one `nowMs` falls in, oldest first. */
export function minuteWindow(nowMs: number, minutes: number): number[] {
  const last = epochMinute(nowMs);
  const count = Math.max(0, Math.floor(minutes));
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}

/** Epoch ms at the start of an epoch minute. */
export function minuteStart(minute: number): number {
  return minute * MINUTE_MS;
}
