import type { JobResult } from '../core/job/job-result.js';

/**
 * Reads every job until each has completed or failed, and returns them by
 * id. Calls `progress` after each round; throws naming the first job still
 * pending when `deadline` (epoch ms) passes.
 */
export async function waitForResults(
  read: (id: string) => Promise<JobResult | undefined>,
  ids: readonly string[],
  options: { deadline: number; intervalMs: number; progress?: (done: ReadonlyMap<string, JobResult>) => void },
): Promise<Map<string, JobResult>> {
  const done = new Map<string, JobResult>();
  let pending = [...ids];
  while (pending.length > 0) {
    if (Date.now() > options.deadline) throw new Error(`${pending.length} jobs were not done in time (first: ${pending[0]})`);
    const reads = await Promise.all(pending.map(read));
    pending = pending.filter((id, i) => {
      const result = reads[i];
      if (result === undefined || (result.state !== 'completed' && result.state !== 'failed')) return true;
      done.set(id, result);
      return false;
    });
    options.progress?.(done);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  return done;
}
