import { UnrecoverableError, WaitingChildrenError } from 'bullmq';
import type { ChildRead } from '../../core/flows/flow-plan.js';
import type { FlowReport } from '../../core/flows/flow-report.js';
import type { FlowJob } from './flow-children.js';
import type { FlowState } from './flow-job-data.js';

/** Saves the flow's progress (before any child it names is added: a crash then loses nothing). */
export async function saveFlow(job: FlowJob, flow: FlowState): Promise<void> {
  await job.updateData({ ...job.data, flow });
}

/** Every attempt of every child, in the order the children were planned. */
export function flowAttempts(reads: readonly ChildRead[]): ChildRead['attempts'] {
  return reads.flatMap((r) => r.attempts);
}

/** The tiers the flow's children ran on, in order of first use. */
export function flowTiers(reads: readonly ChildRead[]): string[] {
  return [...new Set(reads.map((r) => r.ref.tier))];
}

/**
 * Ends the flow as failed for good: its attempts and the report of every
 * member or step are saved on the job first (its result shows them), then
 * BullMQ is told not to retry.
 */
export async function failFlow(job: FlowJob, reads: readonly ChildRead[], report: FlowReport, message: string): Promise<never> {
  await job.updateData({ ...job.data, attempts: flowAttempts(reads), flow: { ...job.data.flow, report } });
  throw new UnrecoverableError(message);
}

/** Parks the parent until its children finish; false when none is pending any more (go on at once). */
export async function waitForChildren(job: FlowJob, token: string): Promise<void> {
  if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
}
