import { decidePipeline, type StepRun } from '../../core/flows/decide-pipeline.js';
import type { ChildRead, FlowChildRef } from '../../core/flows/flow-plan.js';
import { pipelineAnswer, pipelineReport, pipelineRuns } from '../../core/flows/pipeline-progress.js';
import { renderStep } from '../../core/flows/render-step.js';
import { addChildUnlessCancelled } from './add-flow-child.js';
import { flowChildData, readFlowChildren, type FlowJob } from './flow-children.js';
import type { FlowOutcome, PipelineState } from './flow-job-data.js';
import { stepChildId } from './flow-queue-names.js';
import type { FlowRunDeps } from './flow-run-deps.js';
import { failFlow, flowAttempts, flowTiers, saveFlow, waitForChildren } from './end-flow.js';

function pipelineOf(job: FlowJob): PipelineState {
  const flow = job.data.flow;
  if (flow.kind !== 'pipeline') throw new Error('not a pipeline');
  return flow;
}

/**
 * Adds a planned step child that is not in its queue yet. Its input is
 * worked out again from the runs before it, which gives the same text it
 * was planned with: nothing but the plan is saved, and nothing is lost.
 */
async function addStep(deps: FlowRunDeps, job: FlowJob, state: PipelineState, before: readonly StepRun[], ref: FlowChildRef): Promise<void> {
  const move = decidePipeline(state.plan, before, state.document);
  if (move.action !== 'run' || move.step !== ref.index || move.fallback !== ref.fallback) {
    throw new Error(`pipeline "${state.name}": child ${ref.childId} does not follow from the steps before it`);
  }
  const step = state.plan.steps[ref.index - 1];
  if (step === undefined) throw new Error(`pipeline "${state.name}" has no step ${ref.index}`);
  const rendered = renderStep({
    template: step.template,
    stepInput: move.input,
    document: state.document,
    system: state.system,
    inference: job.data.request.inference,
  });
  // In a conversation, the first step continues it: the history read at enqueue goes before its prompt.
  const history = ref.index === 1 ? job.data.request.messages.slice(0, job.data.conversation?.historyMessages ?? 0) : [];
  const request = history.length === 0 ? rendered : { ...rendered, messages: [...history, ...rendered.messages] };
  const what = `step ${ref.index} of ${state.plan.steps.length} "${step.name}" of pipeline "${state.name}"`;
  const reason = ref.fallback ? `fallback for ${what}` : what;
  await addChildUnlessCancelled(deps, job, ref, flowChildData(job.data, ref, request, reason, deps.now()));
  deps.log.info({ childId: ref.childId, tier: ref.tier, model: ref.model }, `${reason}: added`);
}

/**
 * Runs a pipeline's parent: one step at a time, each a child on its own
 * tier with its template fed by the previous step's output; a failed step
 * fails the job, is skipped, or runs again on the fallback model. The next
 * child is saved on the parent before it is added.
 */
export async function runPipeline(deps: FlowRunDeps, job: FlowJob, token: string): Promise<FlowOutcome> {
  for (;;) {
    const state = pipelineOf(job);
    const { plan, name } = state;
    const reads: ChildRead[] = await readFlowChildren(deps.queues, job, state.children);
    const runs = pipelineRuns(plan, reads);
    const missing = reads.findIndex((r) => r.status.state === 'missing');
    if (missing >= 0) {
      const read = reads[missing];
      if (read === undefined || missing !== reads.length - 1) {
        return failFlow(job, reads, pipelineReport(name, plan, reads), `pipeline "${name}": child ${read?.ref.childId ?? '?'} is gone from its queue`);
      }
      await addStep(deps, job, state, runs.slice(0, missing), read.ref);
      continue;
    }
    const move = decidePipeline(plan, runs, state.document);
    if (move.action === 'wait') {
      await waitForChildren(job, token);
      continue;
    }
    if (move.action === 'run') {
      const ref: FlowChildRef = {
        childId: stepChildId(job.data.id, move.step, move.fallback),
        index: move.step,
        tier: move.target.tier,
        ...(move.target.model === undefined ? {} : { model: move.target.model }),
        fallback: move.fallback,
      };
      await saveFlow(job, { ...state, children: [...state.children, ref] });
      continue;
    }
    const report = pipelineReport(name, plan, reads);
    if (move.action === 'fail') return failFlow(job, reads, report, `pipeline "${name}": ${move.reason}`);
    const last = reads.find((r) => r.ref.childId === stepChildId(job.data.id, move.answer.step, move.answer.fallback));
    if (last?.answer === undefined) throw new Error(`pipeline "${name}": the answering step has no answer`);
    const answer = pipelineAnswer({ name, plan, last: move.answer, answer: last.answer, notes: move.notes });
    deps.log.info({ steps: reads.length, reason: answer.acceptedBecause }, 'pipeline done');
    return { answer, attempts: flowAttempts(reads), tiers: flowTiers(reads), flow: report };
  }
}
