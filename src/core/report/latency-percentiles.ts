import { nearestRank } from './summarize-run.js';

export interface LatencyPercentiles {
  p50: number;
  p95: number;
  /** How many samples they were taken over. */
  samples: number;
}

/** Nearest-rank p50 and p95 of latencies in any order; zeros for none. */
export function latencyPercentiles(latencies: readonly number[]): LatencyPercentiles {
  const sorted = latencies.filter((ms) => Number.isFinite(ms)).sort((a, b) => a - b);
  return { p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), samples: sorted.length };
}
