import { FLOWS_ENTRY } from '../../core/flows/flow-definitions.js';
import { ensembleReport } from '../../core/flows/ensemble-progress.js';
import { flowResultFields } from '../../core/flows/flow-report.js';
import { pipelineReport } from '../../core/flows/pipeline-progress.js';
import type { JobResult, JobState } from '../../core/job/job-result.js';
import { CANCEL_REASON } from '../cancel-job.js';
import type { FleetQueues } from '../fleet-queues.js';
import type { TierOutcome } from '../../core/job/tier-outcome.js';
import type { TierJobData } from '../tier-job-data.js';
import { readFlowChildren } from './flow-children.js';
import { isFlowOutcome, type FlowJobData } from './flow-job-data.js';
import type { Job } from 'bullmq';
import { attemptTotals } from '../../core/job/attempt-totals.js';
import { completedResultFields } from '../completed-result-fields.js';

/** The fields of a result every job has, as the read model builds them. */
type BaseFields = Omit<JobResult, 'tier' | 'attempts' | 'usage' | 'costUsd'>;


/**
 * The result of an ensemble or pipeline job. Completed: the combined (or
 * last step's) answer, with every member or step as the flow ended. Before
 * that, every member or step as it stands now, read from its child; the
 * state is `active` while the children run (BullMQ's waiting-children:
 * the parent itself only waits), and the tier is the running pipeline
 * step's (`flows` for an ensemble, whose members run on several tiers).
 */
export async function readFlowResult(queues: FleetQueues, job: Job<TierJobData, TierOutcome>, data: FlowJobData, base: BaseFields): Promise<JobResult> {
  const { flow } = data;
  const outcome = job.returnvalue as TierOutcome | null | undefined;
  if (base.state === 'completed' && outcome !== null && outcome !== undefined && isFlowOutcome(outcome)) {
    return { ...base, ...completedResultFields(job, outcome), ...flowResultFields(outcome.flow) };
  }
  const reads = await readFlowChildren(queues, job, flow.children);
  const report = flow.report ?? (flow.kind === 'ensemble' ? ensembleReport(flow.name, flow.plan, reads) : pipelineReport(flow.name, flow.plan, reads));
  const attempts = reads.flatMap((r) => r.attempts);
  const failed = base.state === 'failed';
  const state: JobState = failed && job.failedReason === CANCEL_REASON ? 'cancelled' : base.state === 'escalated' ? 'active' : base.state;
  const tier = flow.kind === 'pipeline' && !failed ? (flow.children.at(-1)?.tier ?? FLOWS_ENTRY) : FLOWS_ENTRY;
  return {
    ...base,
    state,
    tier,
    attempts,
    ...attemptTotals(attempts),
    ...(failed ? { ...(job.finishedOn === undefined ? {} : { finishedAt: job.finishedOn }), error: { message: job.failedReason } } : {}),
    ...flowResultFields(report),
  };
}
