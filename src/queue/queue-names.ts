/**
 * Key prefix of every queue of one fleet. The braces make it a Redis Cluster
 * hash tag: every key of the fleet, flows included, lands in one slot.
 */
export function fleetPrefix(fleetName: string): string {
  return `{${fleetName}}`;
}

/** BullMQ queue names may not contain ':'. */
export function tierQueueName(tier: string): string {
  return `tier-${tier}`;
}

/** Maps a client's job id to the tier whose queue holds it; one per job, so ids are unique fleet-wide. */
export function jobIndexKey(fleetName: string, jobId: string): string {
  return `${fleetPrefix(fleetName)}:job-index:${jobId}`;
}

/** BullMQ id of the child a job adds when it escalates to `tier`. */
export function escalationChildId(jobId: string, tier: string): string {
  return `${jobId}--${tier}`;
}
