import { isUnfinished, type ChildStatus } from './child-status.js';
import type { StepFailurePolicy } from './flow-definitions.js';
import type { FlowChildOutcome } from './flow-report.js';
import { describeTarget, type FlowTarget } from './resolve-flow-target.js';

/** One run of a pipeline step: the step's own, or its fallback's. */
export interface StepRun {
  /** From 1. */
  step: number;
  name: string;
  target: FlowTarget;
  fallback: boolean;
  status: ChildStatus;
}

export interface PipelinePlanStep {
  name: string;
  target: FlowTarget;
}

export type PipelineMove =
  | { action: 'wait' }
  /** Run this step (on its own target, or on the fallback) with this input. */
  | { action: 'run'; step: number; fallback: boolean; target: FlowTarget; input: string }
  /** The pipeline is over: `answer` is the run whose output is the job's answer. */
  | { action: 'done'; answer: StepRun; notes: string[] }
  | { action: 'fail'; reason: string };

export function stepLabel(run: { step: number; name: string; target: FlowTarget }, of: number): string {
  return `step ${run.step} of ${of} "${run.name}" (${describeTarget(run.target)})`;
}

/** The output the next step reads: the last answered run's, or the job's input before any. */
function lastOutput(runs: readonly StepRun[], document: string): string {
  for (let i = runs.length - 1; i >= 0; i -= 1) {
    const status = runs[i]?.status;
    if (status?.state === 'completed') return status.text;
  }
  return document;
}

function errorOf(status: ChildStatus): string {
  return status.state === 'failed' ? status.error : 'no outcome';
}

/**
 * What a pipeline does next, from its runs so far (in order, the current one
 * last): start the first step, wait, pass an answer to the next step, end
 * with the last answer, or deal with a failed step by its policy (fail, skip
 * it and pass its input on, or run it once more on the fallback model). Pure.
 */
export function decidePipeline(
  plan: { steps: readonly PipelinePlanStep[]; onStepFailure: StepFailurePolicy; fallbackTarget?: FlowTarget | undefined },
  runs: readonly StepRun[],
  document: string,
): PipelineMove {
  const of = plan.steps.length;
  const start = (index: number, input: string): PipelineMove => {
    const step = plan.steps[index];
    if (step === undefined) return { action: 'fail', reason: `the pipeline has no step ${index + 1}` };
    return { action: 'run', step: index + 1, fallback: false, target: step.target, input };
  };
  const current = runs.at(-1);
  if (current === undefined) return start(0, document);
  if (isUnfinished(current.status)) return { action: 'wait' };

  const notes = (): string[] =>
    runs.flatMap((run) => {
      if (run.status.state !== 'failed') return [];
      const replaced = runs.some((r) => r.step === run.step && r.fallback && !run.fallback);
      return [`${stepLabel(run, of)} failed (${errorOf(run.status)})${replaced ? '; its fallback ran in its place' : '; skipped'}`];
    });
  const finish = (): PipelineMove => {
    const answer = [...runs].reverse().find((r) => r.status.state === 'completed');
    if (answer === undefined) return { action: 'fail', reason: `no step of the pipeline answered: ${notes().join('; ')}` };
    return { action: 'done', answer, notes: notes() };
  };

  if (current.status.state === 'completed') return current.step >= of ? finish() : start(current.step, current.status.text);

  const label = stepLabel(current, of);
  const error = errorOf(current.status);
  if (current.fallback) {
    const own = runs.find((r) => r.step === current.step && !r.fallback);
    return {
      action: 'fail',
      reason: `${own === undefined ? label : stepLabel(own, of)} failed${own === undefined ? '' : `: ${errorOf(own.status)}`}; its fallback ${describeTarget(current.target)} failed too: ${error}`,
    };
  }
  const policy = plan.onStepFailure;
  if (policy === 'fail') return { action: 'fail', reason: `${label} failed: ${error} (onStepFailure: fail)` };
  if (policy === 'skip') return current.step >= of ? finish() : start(current.step, lastOutput(runs, document));
  if (plan.fallbackTarget === undefined) return { action: 'fail', reason: `${label} failed: ${error}; fallback ${policy.fallback} is not in any tier` };
  return { action: 'run', step: current.step, fallback: true, target: plan.fallbackTarget, input: lastOutput(runs.slice(0, -1), document) };
}

/** What became of one run of a step, for the job's result. Pure. */
export function stepOutcome(run: StepRun, runs: readonly StepRun[], policy: StepFailurePolicy): { outcome: FlowChildOutcome; note?: string } {
  const { status } = run;
  if (status.state === 'completed') return { outcome: 'answered' };
  if (status.state === 'missing') return { outcome: 'queued' };
  if (status.state !== 'failed') return { outcome: status.state };
  if (!run.fallback && runs.some((r) => r.step === run.step && r.fallback)) return { outcome: 'replaced', note: 'failed; its fallback ran in its place' };
  if (!run.fallback && policy === 'skip') return { outcome: 'skipped', note: 'failed; its input went on to the next step (onStepFailure: skip)' };
  return { outcome: 'failed' };
}
