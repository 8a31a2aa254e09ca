import type { FlowChildRef } from '../../core/flows/flow-plan.js';
import { CANCEL_REASON } from '../cancel-job.js';
import type { TierJobData } from '../tier-job-data.js';
import { addFlowChild, type FlowJob } from './flow-children.js';
import type { FlowRunDeps } from './flow-run-deps.js';

/** The client cancelled the flow while its parent was adding children: the parent ends as cancelled. */
export class FlowCancelledError extends Error {
  constructor() {
    super(CANCEL_REASON);
    this.name = 'FlowCancelledError';
  }
}

/**
 * Adds a child to its tier's queue unless the client has cancelled the
 * flow. A cancel that lands while the child is being added may have looked
 * for it before it was in its queue, so the child is checked again after,
 * and stopped here: no model is called for a cancelled job.
 */
export async function addChildUnlessCancelled(deps: FlowRunDeps, job: FlowJob, ref: FlowChildRef, data: TierJobData): Promise<void> {
  if (await deps.isCancelled(job.data.id)) throw new FlowCancelledError();
  await addFlowChild(deps.queues, job, ref, data);
  if (!(await deps.isCancelled(job.data.id))) return;
  await deps.stopChild(ref);
  throw new FlowCancelledError();
}
