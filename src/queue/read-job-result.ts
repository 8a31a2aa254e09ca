import type { Redis } from 'ioredis';
import type { Attempt } from '../core/job/attempt.js';
import type { JobResult, JobState } from '../core/job/job-result.js';
import type { FleetQueues } from './fleet-queues.js';
import { CANCEL_REASON, cancelMarkerKey, type CancelMarker } from './cancel-job.js';
import { jobLabels } from './job-labels.js';
import { jobIndexKey } from './queue-names.js';
import { isFlowJobData } from './flows/flow-job-data.js';
import { readFlowResult } from './flows/read-flow-result.js';
import type { TierJobData } from './tier-job-data.js';
import { attemptTotals } from '../core/job/attempt-totals.js';
import { completedResultFields } from './completed-result-fields.js';
import { clientId } from '../core/job/tenant-scoped-id.js';

export interface ReadModelDeps {
  fleetName: string;
  queues: FleetQueues;
  redis: Redis;
}

const STATE: Record<string, JobState> = {
  waiting: 'queued',
  prioritized: 'queued',
  delayed: 'queued',
  'waiting-children': 'escalated',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
  unknown: 'queued',
};


/** Follows an escalated job down its children to the tier working on it now, and the attempts made so far. */
async function followEscalation(
  queues: FleetQueues,
  data: TierJobData,
): Promise<{ tier: string; attempts: Attempt[] }> {
  let current = data;
  let tier = data.path[0] ?? data.route.tier;
  for (let depth = 0; current.escalation !== undefined && depth < 16; depth += 1) {
    const child = await queues.queue(current.escalation.toTier).getJob(current.escalation.childId);
    tier = current.escalation.toTier;
    if (child === undefined) break;
    current = child.data;
  }
  return { tier, attempts: current.attempts };
}

/** A job cancelled while it waited is gone from its queue; its cancel marker remembers it. */
async function readCancelled(deps: ReadModelDeps, id: string): Promise<JobResult | undefined> {
  const text = await deps.redis.get(cancelMarkerKey(deps.fleetName, id));
  if (text === null) return undefined;
  const marker = JSON.parse(text) as CancelMarker;
  const { data } = marker;
  return {
    id: clientId(data.tenant, id),
    state: 'cancelled',
    tenant: data.tenant,
    task: data.task,
    strategy: data.strategy,
    tags: data.tags,
    tier: data.route.tier,
    route: data.route,
    enqueuedAt: data.enqueuedAt,
    ...jobLabels(data),
    finishedAt: marker.at,
    attempts: marker.attempts,
    ...attemptTotals(marker.attempts),
    error: { message: CANCEL_REASON },
  };
}

/**
 * The one read model of a job, whichever tier holds or answered it, by its
 * fleet-wide id: undefined when no job has this id (or it has expired). The
 * result shows the id its tenant gave.
 */
export async function readJobResult(deps: ReadModelDeps, id: string): Promise<JobResult | undefined> {
  const entryTier = await deps.redis.get(jobIndexKey(deps.fleetName, id));
  if (entryTier === null) return undefined;
  const queue = deps.queues.queue(entryTier);
  // State first: a job read before its state could finish in between and show "completed" without its result.
  const state = STATE[await queue.getJobState(id)] ?? 'queued';
  const job = await queue.getJob(id);
  if (job === undefined) return readCancelled(deps, id);
  const data = job.data;
  const base = {
    id: clientId(data.tenant, id),
    state,
    tenant: data.tenant,
    task: data.task,
    strategy: data.strategy,
    tags: data.tags,
    route: data.route,
    enqueuedAt: data.enqueuedAt,
    ...jobLabels(data),
  };

  // Ensembles and pipelines: their parent on the flows queue, with every member or step (docs/flows.md).
  if (isFlowJobData(data)) return readFlowResult(deps.queues, job, data, base);
  if (state === 'failed' && job.failedReason === CANCEL_REASON) {
    return { ...base, state: 'cancelled', tier: entryTier, attempts: data.attempts, ...attemptTotals(data.attempts), error: { message: CANCEL_REASON } };
  }
  if (state === 'completed') {
    return { ...base, ...completedResultFields(job, job.returnvalue) };
  }
  const { tier, attempts } =
    state === 'escalated' ? await followEscalation(deps.queues, data) : { tier: entryTier, attempts: data.attempts };
  return {
    ...base,
    tier,
    attempts,
    ...attemptTotals(attempts),
    ...(state === 'failed'
      ? {
          ...(job.finishedOn === undefined ? {} : { finishedAt: job.finishedOn }),
          error: { message: job.failedReason },
        }
      : {}),
  };
}
