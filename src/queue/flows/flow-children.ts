import type { Job } from 'bullmq';
import { isContentPolicyStop } from '../../core/fallback/content-policy.js';
import type { ChildRead, FlowChildRef } from '../../core/flows/flow-plan.js';
import type { RenderedRequest } from '../../core/job/render-request.js';
import type { TierOutcome } from '../../core/job/tier-outcome.js';
import type { FleetQueues } from '../fleet-queues.js';
import type { TierJobData } from '../tier-job-data.js';
import type { FlowJobData, FlowOutcome } from './flow-job-data.js';

export type FlowJob = Job<FlowJobData, FlowOutcome>;

/**
 * Where each child of a flow stands: finished ones from the parent's own
 * record of its children (values, and failures it was told to ignore), the
 * others from their queues. A child that finished a moment ago but is not
 * in the parent's record yet reads as active: the parent waits for it.
 */
export async function readFlowChildren(
  queues: FleetQueues,
  job: Pick<Job, 'getChildrenValues' | 'getIgnoredChildrenFailures'>,
  refs: readonly FlowChildRef[],
): Promise<ChildRead[]> {
  if (refs.length === 0) return [];
  const [values, failures] = await Promise.all([job.getChildrenValues<TierOutcome>(), job.getIgnoredChildrenFailures()]);
  return Promise.all(
    refs.map(async (ref): Promise<ChildRead> => {
      const queue = queues.queue(ref.tier);
      const key = queue.toKey(ref.childId);
      const outcome = values[key];
      if (outcome !== undefined) {
        const { answer } = outcome;
        const refused = isContentPolicyStop(answer.stopReason) ? { refused: true as const } : {};
        return { ref, status: { state: 'completed', text: answer.text, model: answer.model, confidence: answer.confidence, ...refused }, attempts: outcome.attempts, answer };
      }
      const child = await queue.getJob(ref.childId);
      const failure = failures[key];
      if (failure !== undefined) return { ref, status: { state: 'failed', error: failure }, attempts: child?.data.attempts ?? [] };
      if (child === undefined) return { ref, status: { state: 'missing' }, attempts: [] };
      const state = await child.getState();
      const running = state === 'active' || state === 'completed' || state === 'failed';
      return { ref, status: { state: running ? 'active' : 'queued' }, attempts: child.data.attempts };
    }),
  );
}

/**
 * The data of a flow's child: an ordinary routed job on its tier (model
 * fixed when the flow names one) under the client's job id, so the tier's
 * logs name the job; its BullMQ id differs, so the tier worker tells no
 * observer (no webhook, batch count or statistics) when it finishes: the
 * parent does, once, for the whole flow.
 */
export function flowChildData(parent: FlowJobData, ref: FlowChildRef, request: RenderedRequest, reason: string, enqueuedAt: number): TierJobData {
  return {
    id: parent.id,
    tenant: parent.tenant,
    task: parent.task,
    strategy: 'route',
    tags: parent.tags,
    metadata: parent.metadata,
    request,
    route: { tier: ref.tier, ...(ref.model === undefined ? {} : { model: ref.model }), path: [ref.tier], reason },
    path: [ref.tier],
    ...(ref.model === undefined ? {} : { model: ref.model }),
    ...(parent.priority === undefined ? {} : { priority: parent.priority }),
    ...(parent.stream === true ? { stream: true } : {}),
    enqueuedAt,
    attempts: [],
  };
}

/**
 * Adds a child to its tier's queue under the parent. The parent resumes when
 * the child fails too (`ignoreDependencyOnFailure`) and decides by its
 * policy. Only for a child not in its queue: BullMQ would record a failed
 * child added again as pending, and the parent would wait for ever.
 */
export async function addFlowChild(queues: FleetQueues, job: FlowJob, ref: FlowChildRef, data: TierJobData): Promise<void> {
  if (job.id === undefined) throw new Error('a flow parent has no id');
  await queues.queue(ref.tier).add('job', data, {
    jobId: ref.childId,
    parent: { id: job.id, queue: job.queueQualifiedName },
    ignoreDependencyOnFailure: true,
    ...(data.priority === undefined ? {} : { priority: data.priority }),
  });
}
