import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { ensembleReport } from '../../core/flows/ensemble-progress.js';
import { pipelineReport } from '../../core/flows/pipeline-progress.js';
import type { FlowChildRef } from '../../core/flows/flow-plan.js';
import { CANCEL_REASON } from '../cancel-job.js';
import type { FleetQueues } from '../fleet-queues.js';
import { FlowCancelledError } from './add-flow-child.js';
import { failFlow } from './end-flow.js';
import { readFlowChildren, type FlowJob } from './flow-children.js';
import type { FlowOutcome } from './flow-job-data.js';
import type { FlowRunDeps } from './flow-run-deps.js';
import type { CustomCombiner } from './load-combiner.js';
import { runEnsemble } from './run-ensemble.js';
import { runPipeline } from './run-pipeline.js';

export interface FlowProcessorDeps {
  queues: FleetQueues;
  logger: Logger;
  loadCombiner: (path: string) => Promise<CustomCombiner>;
  /** Whether the client cancelled this job (checked each time the parent runs, and around each child it adds). */
  isCancelled?: (jobId: string) => Promise<boolean>;
  /** Stops a child added while the flow was being cancelled. */
  stopChild?: (ref: FlowChildRef) => Promise<void>;
  now?: () => number;
}

export type FlowProcessor = (job: FlowJob, token?: string) => Promise<FlowOutcome>;

/**
 * Serves the flows queue: each job is the parent of an ensemble or a
 * pipeline, whose model calls are its children in the tiers' queues. It
 * runs again each time its children have finished, and picks up where its
 * saved progress says.
 */
export function createFlowProcessor(deps: FlowProcessorDeps): FlowProcessor {
  const now = deps.now ?? Date.now;
  return async (job, token) => {
    if (token === undefined) throw new Error('a flow job needs the worker token');
    const flow = job.data.flow;
    const log = deps.logger.child({ jobId: job.data.id, flow: flow.name, kind: flow.kind });
    const isCancelled = async (jobId: string): Promise<boolean> => (await deps.isCancelled?.(jobId)) === true;
    if (await isCancelled(job.data.id)) return endCancelled(job);
    const run: FlowRunDeps = { queues: deps.queues, log, now, loadCombiner: deps.loadCombiner, isCancelled, stopChild: deps.stopChild ?? (() => Promise.resolve()) };
    try {
      if (flow.kind === 'ensemble') return await runEnsemble(run, job, token);
      if (flow.kind === 'pipeline') return await runPipeline(run, job, token);
    } catch (error) {
      if (error instanceof FlowCancelledError) return endCancelled(job);
      throw error;
    }
    throw new UnrecoverableError(`unknown flow kind "${(flow as { kind: string }).kind}"`);
  };

  /** Ends a cancelled flow: the attempts and report of the children that ran are kept on its result. */
  async function endCancelled(job: FlowJob): Promise<never> {
    const flow = job.data.flow;
    const reads = await readFlowChildren(deps.queues, job, flow.children);
    const report = flow.kind === 'ensemble' ? ensembleReport(flow.name, flow.plan, reads) : pipelineReport(flow.name, flow.plan, reads);
    return failFlow(job, reads, report, CANCEL_REASON);
  }
}
