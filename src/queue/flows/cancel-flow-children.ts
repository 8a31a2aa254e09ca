import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { FlowChildRef } from '../../core/flows/flow-plan.js';
import { cancelChannel } from '../cancel-job.js';
import type { FleetQueues } from '../fleet-queues.js';
import { fleetPrefix } from '../queue-names.js';
import { isFlowJobData } from './flow-job-data.js';

const QUEUED = new Set(['waiting', 'prioritized', 'delayed']);

export interface StopChildDeps {
  queues: FleetQueues;
  redis: Redis;
  fleetName: string;
  log: Logger;
}

/** Stops one child of a cancelled flow: removed when queued, aborted through the workers' cancel channel when running. */
export async function stopFlowChild(deps: StopChildDeps, ref: Pick<FlowChildRef, 'tier' | 'childId'>): Promise<void> {
  const child = await deps.queues.queue(ref.tier).getJob(ref.childId);
  if (child === undefined) return;
  const state = await child.getState();
  if (QUEUED.has(state)) {
    try {
      await child.remove();
      return;
    } catch (error) {
      // Taken by a worker in the meantime: abort it instead.
      deps.log.warn({ err: error, childId: ref.childId }, 'could not remove a cancelled flow child; aborting it');
    }
  } else if (state !== 'active') return;
  await deps.redis.publish(cancelChannel(deps.fleetName), ref.childId);
}

/**
 * Stops the children of a cancelled flow: queued ones are removed (the
 * parent then resumes at once), running ones are aborted through the
 * workers' cancel channel. The parent, on its next run, sees the cancel
 * marker and ends as cancelled. Every worker process hears the cancel; one
 * claims it (a short-lived key), so children are handled once.
 */
export async function cancelFlowChildren(deps: StopChildDeps, jobId: string): Promise<void> {
  const parent = await deps.queues.flows.getJob(jobId);
  if (parent === undefined || !isFlowJobData(parent.data)) return;
  const claimed = await deps.redis.set(`${fleetPrefix(deps.fleetName)}:flow-cancel:${jobId}`, '1', 'EX', 60, 'NX');
  if (claimed !== 'OK') return;
  // A child the parent adds after this read is stopped by the parent itself (add-flow-child.ts).
  for (const ref of parent.data.flow.children) await stopFlowChild(deps, ref);
  deps.log.info({ jobId }, 'flow cancelled: its children are stopped');
}
