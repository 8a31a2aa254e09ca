import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Attempt } from '../core/job/attempt.js';
import type { FleetQueues } from './fleet-queues.js';
import { flowAttempts } from './flows/end-flow.js';
import { readFlowChildren } from './flows/flow-children.js';
import { isFlowJobData } from './flows/flow-job-data.js';
import type { FinishedJob, JobObserver } from './job-observer.js';
import { fleetPrefix, jobIndexKey } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

/** The abort reason, failed reason and error message of a job its client cancelled. */
export const CANCEL_REASON = 'cancelled by client';

/** Set when a client cancels a job; holds what the read model shows once the job itself is gone. */
export function cancelMarkerKey(fleetName: string, jobId: string): string {
  return `${fleetPrefix(fleetName)}:cancelled:${jobId}`;
}

/** Workers listen here for the BullMQ ids of active jobs to abort. */
export function cancelChannel(fleetName: string): string {
  return `${fleetPrefix(fleetName)}:cancel`;
}

export interface CancelMarker {
  at: number;
  data: Omit<TierJobData, 'request'>;
  attempts: Attempt[];
}

export type CancelOutcome =
  | { state: 'not-found' }
  | { state: 'finished'; finalState: string }
  /** It was waiting: removed, nothing more will run. */
  | { state: 'cancelled' }
  /** It was running (or escalated): its calls are being aborted. */
  | { state: 'cancelling' };

export interface CancelDeps {
  fleetName: string;
  queues: FleetQueues;
  redis: Redis;
  /** How long the marker (and so the cancelled result) is kept. */
  keepSeconds: number;
  /**
   * Told when a waiting job is removed here (no worker will ever finish it):
   * batches, statistics and webhooks, as a worker tells them of a job cancelled while it ran.
   */
  observers?: readonly JobObserver[];
  log?: Logger;
}

/**
 * Cancels a client's job: removes it when it is waiting (and tells the
 * observers, since no worker will); aborts its calls
 * when it is running on any tier (through the workers' cancel channel); a
 * job waiting for an escalated child has the child cancelled and then fails
 * as cancelled when it resumes.
 */
export async function cancelJob(deps: CancelDeps, jobId: string): Promise<CancelOutcome> {
  const tier = await deps.redis.get(jobIndexKey(deps.fleetName, jobId));
  if (tier === null) return { state: 'not-found' };
  const queue = deps.queues.queue(tier);
  const state = await queue.getJobState(jobId);
  const job = await queue.getJob(jobId);
  if (job === undefined) {
    return (await deps.redis.exists(cancelMarkerKey(deps.fleetName, jobId))) === 1 ? { state: 'cancelled' } : { state: 'not-found' };
  }
  if (state === 'completed' || state === 'failed') return { state: 'finished', finalState: state };

  const data: Partial<TierJobData> = { ...job.data };
  delete data.request; // the conversation is not kept once the job is cancelled
  delete data.requestByFamily;
  delete data.votes; // nor the answers voted on
  if ('flow' in data && typeof data.flow === 'object' && data.flow !== null && 'document' in data.flow) {
    // A pipeline keeps its input text for its steps: not once it is cancelled.
    data.flow = { ...(data.flow as Record<string, unknown>), document: '', system: [] };
  }
  // A flow parent keeps its children's attempts on them until it ends: read them now, since removing it removes them.
  const attempts = isFlowJobData(job.data) ? flowAttempts(await readFlowChildren(deps.queues, job, job.data.flow.children)) : job.data.attempts;
  const marker: CancelMarker = { at: Date.now(), data: data as CancelMarker['data'], attempts };
  await deps.redis.set(cancelMarkerKey(deps.fleetName, jobId), JSON.stringify(marker), 'EX', deps.keepSeconds);

  if (state === 'waiting' || state === 'prioritized' || state === 'delayed') {
    let removed = false;
    try {
      await job.remove();
      removed = true;
    } catch {
      // Taken by a worker in the meantime: abort it instead.
    }
    if (removed) {
      // Its id stays reserved as long as its cancellation is kept, as a finished job's does with its result.
      await deps.redis.expire(jobIndexKey(deps.fleetName, jobId), deps.keepSeconds);
      const finished: FinishedJob = { data: { ...job.data, attempts }, state: 'failed', failedReason: CANCEL_REASON, finishedAt: marker.at };
      for (const observer of deps.observers ?? []) {
        await observer.finished(finished).catch((error: unknown) => deps.log?.warn({ err: error, jobId, observer: observer.name }, 'job observer failed'));
      }
      return { state: 'cancelled' };
    }
  }
  // Active, or waiting for its escalation: abort the deepest job of the chain that runs.
  let current = job.data;
  const targets = [jobId];
  while (current.escalation !== undefined) {
    const child = await deps.queues.queue(current.escalation.toTier).getJob(current.escalation.childId);
    if (child === undefined) break;
    targets.push(current.escalation.childId);
    const childState = await child.getState();
    if (childState === 'waiting' || childState === 'prioritized' || childState === 'delayed') {
      await child.remove().catch(() => undefined);
      break;
    }
    current = child.data;
  }
  for (const target of targets) await deps.redis.publish(cancelChannel(deps.fleetName), target);
  return { state: 'cancelling' };
}
