import type { JobAnswer } from '../job/job-answer.js';
import { stepLabel, stepOutcome, type StepRun } from './decide-pipeline.js';
import { describePolicy } from './flow-definitions.js';
import { childCost, refTarget, type ChildRead, type PipelinePlan } from './flow-plan.js';
import type { FlowReport, FlowStepView } from './flow-report.js';

/** Every run of a pipeline so far, in order, from what the parent read. Pure. */
export function pipelineRuns(plan: PipelinePlan, reads: readonly ChildRead[]): StepRun[] {
  return reads.map((r) => ({
    step: r.ref.index,
    name: plan.steps[r.ref.index - 1]?.name ?? `step ${r.ref.index}`,
    target: refTarget(r.ref),
    fallback: r.ref.fallback,
    status: r.status,
  }));
}

/** Every step (and fallback run) of a pipeline as its result shows it; steps not reached yet are `pending`. Pure. */
export function pipelineReport(name: string, plan: PipelinePlan, reads: readonly ChildRead[]): FlowReport {
  const runs = pipelineRuns(plan, reads);
  const steps: FlowStepView[] = reads.map((read, i) => {
    const run = runs[i] as StepRun;
    const { outcome, note } = stepOutcome(run, runs, plan.onStepFailure);
    return {
      step: run.step,
      name: run.name,
      tier: read.ref.tier,
      ...(read.ref.model === undefined ? {} : { model: read.ref.model }),
      ...(read.answer === undefined ? {} : { answeredModel: read.answer.model, output: read.answer.text }),
      fallback: read.ref.fallback,
      outcome,
      ...(read.status.state === 'failed' ? { error: read.status.error } : {}),
      costUsd: childCost(read),
      ...(note === undefined ? {} : { note }),
    };
  });
  const reached = reads.reduce((most, r) => Math.max(most, r.ref.index), 0);
  plan.steps.forEach((step, i) => {
    if (i + 1 <= reached) return;
    steps.push({
      step: i + 1,
      name: step.name,
      tier: step.target.tier,
      ...(step.target.model === undefined ? {} : { model: step.target.model }),
      fallback: false,
      outcome: 'pending',
      costUsd: 0,
    });
  });
  return { kind: 'pipeline', name, onStepFailure: describePolicy(plan.onStepFailure), steps };
}

/** The pipeline's answer: the output of the last step that answered, and why it is the answer. Pure. */
export function pipelineAnswer(input: { name: string; plan: PipelinePlan; last: StepRun; answer: JobAnswer; notes: readonly string[] }): JobAnswer {
  const of = input.plan.steps.length;
  const names = input.plan.steps.map((s) => s.name).join(' → ');
  const which = input.last.step === of ? `the last step's output` : `the output of ${stepLabel(input.last, of)}, the last step that answered`;
  const notes = input.notes.length === 0 ? '' : `; ${input.notes.join('; ')}`;
  return {
    ...input.answer,
    acceptedBecause: `pipeline "${input.name}" (${names}): ${which}${notes}`,
  };
}
