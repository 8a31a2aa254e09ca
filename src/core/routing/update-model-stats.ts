import type { ModelStats } from './fleet-snapshot.js';

/** What one call to a model did. */
export interface CallOutcome {
  ok: boolean;
  latencyMs: number;
}

export interface UpdateModelStatsOptions {
  /** Weight of the newest call in the moving averages, in (0, 1]; 0.1 by default. */
  alpha?: number;
}

/**
 * A model's stats after one more call, as exponentially weighted moving
 * averages. Until 1/alpha calls are in, each call weighs 1/n, so early
 * averages are plain means rather than leaning on the first call. The
 * success rate averages 1 (ok) and 0 (failed). Latency averages in log
 * space, so it tracks the median of the roughly log-normal latencies of
 * model calls and a rare slow call moves it little; only successful calls
 * move it (a failed call's latency says how it failed, not how fast the
 * model answers), except the very first call, which seeds it. Pure.
 */
export function updateModelStats(
  previous: ModelStats | undefined,
  call: CallOutcome,
  { alpha = 0.1 }: UpdateModelStatsOptions = {},
): ModelStats {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${alpha}`);
  const latency = Math.max(call.latencyMs, 1);
  const success = call.ok ? 1 : 0;
  if (previous === undefined || previous.samples <= 0) {
    return { samples: 1, successRate: success, p50LatencyMs: latency };
  }
  const samples = previous.samples + 1;
  const weight = Math.max(alpha, 1 / samples);
  const successRate = previous.successRate + weight * (success - previous.successRate);
  const before = Math.log(Math.max(previous.p50LatencyMs, 1));
  const p50LatencyMs = call.ok ? Math.exp(before + weight * (Math.log(latency) - before)) : previous.p50LatencyMs;
  return { samples, successRate, p50LatencyMs };
}
