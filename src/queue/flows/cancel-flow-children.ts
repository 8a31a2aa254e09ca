import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { cancelChannel } from '../cancel-job.js';
import type { FleetQueues } from '../fleet-queues.js';
import { fleetPrefix } from '../queue-names.js';
import { isFlowJobData } from './flow-job-data.js';

const QUEUED = new Set(['waiting', 'prioritized', 'delayed']);

/**
 * Stops the children of a cancelled flow: queued ones are removed (the
 * parent then resumes at once), running ones are aborted through the
 * workers' cancel channel. The parent, on its next run, sees the cancel
 * marker and ends as cancelled. Every worker process hears the cancel; one
 * claims it (a short-lived key), so children are handled once.
 */
export async function cancelFlowChildren(deps: { queues: FleetQueues; redis: Redis; fleetName: string; log: Logger }, jobId: string): Promise<void> {
  const parent = await deps.queues.flows.getJob(jobId);
  if (parent === undefined || !isFlowJobData(parent.data)) return;
  const claimed = await deps.redis.set(`${fleetPrefix(deps.fleetName)}:flow-cancel:${jobId}`, '1', 'EX', 60, 'NX');
  if (claimed !== 'OK') return;
  for (const ref of parent.data.flow.children) {
    const child = await deps.queues.queue(ref.tier).getJob(ref.childId);
    if (child === undefined) continue;
    const state = await child.getState();
    if (QUEUED.has(state)) {
      await child.remove().catch((error: unknown) => deps.log.warn({ err: error, childId: ref.childId }, 'could not remove a cancelled flow child'));
    } else if (state === 'active') {
      await deps.redis.publish(cancelChannel(deps.fleetName), ref.childId);
    }
  }
  deps.log.info({ jobId }, 'flow cancelled: its children are stopped');
}
