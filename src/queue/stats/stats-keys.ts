import { fleetPrefix } from '../queue-names.js';

/** How long a minute's statistics, latency samples and recent jobs are kept. */
export const STATS_TTL_SECONDS = 2 * 86_400;
/** Latency samples kept per model, newest first, for p50/p95. */
export const LATENCY_SAMPLES_KEPT = 500;
/** Finished jobs kept in the recent-jobs list, newest first. */
export const RECENT_JOBS_KEPT = 100;

/** One minute's counters (a hash); every key of the fleet shares its hash tag, so one cluster slot. */
export function statsBucketKey(fleetName: string, epochMinute: number): string {
  return `${fleetPrefix(fleetName)}:stats:${epochMinute}`;
}

/** Latencies of a model's recent answered calls (a list, newest first). */
export function latencyKey(fleetName: string, model: string): string {
  return `${fleetPrefix(fleetName)}:latency:${model}`;
}

/** The latest finished jobs (a list of JSON `RecentJob`s, newest first). */
export function recentJobsKey(fleetName: string): string {
  return `${fleetPrefix(fleetName)}:recent-jobs`;
}
