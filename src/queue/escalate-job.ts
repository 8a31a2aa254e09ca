import { UnrecoverableError, WaitingChildrenError } from 'bullmq';
import type { Logger } from 'pino';
import type { FleetConfig } from '../config/fleet-schema.js';
import { BUDGET_REFUSAL } from '../core/budgets/plan-spent-job.js';
import type { Attempt } from '../core/job/attempt.js';
import type { JobAnswer } from '../core/job/job-answer.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { FleetQueues } from './fleet-queues.js';
import { escalationChildId } from './queue-names.js';
import type { EscalationState, TierJob, TierJobData } from './tier-job-data.js';

export interface EscalationDeps {
  fleet: FleetConfig;
  queues: FleetQueues;
  log: Logger;
}


/**
 * Adds the child on the next tier (the same conversation, every attempt so
 * far; the model `step.model` names, else none) and parks the job until the child finishes. The state is saved
 * before the child is added, so a worker that dies in between resumes by
 * adding it again (the child's id is fixed, so never twice).
 */
export async function escalate(
  deps: EscalationDeps,
  job: TierJob,
  token: string,
  step: { toTier: string; reason: string; best?: JobAnswer; attempts: Attempt[]; model?: string },
): Promise<TierOutcome> {
  const escalation: EscalationState = {
    toTier: step.toTier,
    childId: escalationChildId(job.data.id, step.toTier),
    ...(step.best === undefined ? {} : { best: step.best }),
    reason: step.reason,
    ...(step.model === undefined ? {} : { model: step.model }),
  };
  await job.updateData({ ...job.data, attempts: step.attempts, escalation });
  return waitForChild(deps, job, token);
}

async function addChild(deps: EscalationDeps, job: TierJob): Promise<void> {
  const data = job.data;
  const escalation = data.escalation;
  if (escalation === undefined || job.id === undefined) throw new Error('the job has not escalated');
  const child: TierJobData = {
    ...data,
    path: data.path.slice(data.path.indexOf(escalation.toTier)),
    attempts: data.attempts,
  };
  delete child.escalation;
  if (escalation.model === undefined) delete child.model;
  else child.model = escalation.model;
  await deps.queues.queue(escalation.toTier).add('job', child, {
    jobId: escalation.childId,
    parent: { id: job.id, queue: job.queueQualifiedName },
    // The parent resumes when the child fails too, and decides what that means.
    ignoreDependencyOnFailure: true,
    ...(data.priority === undefined ? {} : { priority: data.priority }),
  });
}

async function waitForChild(deps: EscalationDeps, job: TierJob, token: string): Promise<TierOutcome> {
  await addChild(deps, job);
  deps.log.info({ toTier: job.data.escalation?.toTier }, 'waiting for the escalated child');
  if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
  return resumeAfterChild(deps, job, token);
}

/** The escalated child's outcome, once it completed (BullMQ keeps it on the parent, keyed by the child's full key). */
async function childOutcome(job: TierJob, childId: string): Promise<TierOutcome | undefined> {
  const values = await job.getChildrenValues<TierOutcome>();
  return Object.entries(values).find(([key]) => key.endsWith(`:${childId}`))?.[1];
}

/**
 * Ends an escalated job whose client cancelled it, keeping the attempts of
 * the chain below it (the child's, which hold the job's own too): they were
 * paid for.
 */
export async function failCancelledAfterChild(deps: EscalationDeps, job: TierJob, reason: string): Promise<never> {
  const escalation = job.data.escalation;
  if (escalation !== undefined) {
    const done = await childOutcome(job, escalation.childId);
    const child = done === undefined ? await deps.queues.queue(escalation.toTier).getJob(escalation.childId) : undefined;
    const attempts = done?.attempts ?? child?.data.attempts;
    if (attempts !== undefined && attempts.length > job.data.attempts.length) await job.updateData({ ...job.data, attempts });
  }
  throw new UnrecoverableError(reason);
}

/** Reads the finished child's outcome; completes with its answer, or ends the job as configured when it failed. */
export async function resumeAfterChild(deps: EscalationDeps, job: TierJob, token: string): Promise<TierOutcome> {
  const escalation = job.data.escalation;
  if (escalation === undefined) throw new Error('the job has not escalated');
  const ownTier = job.data.path[0] ?? escalation.best?.tier ?? escalation.toTier;
  const childKey = (key: string): boolean => key.endsWith(`:${escalation.childId}`);

  const done = await childOutcome(job, escalation.childId);
  if (done !== undefined) {
    return { answer: done.answer, attempts: done.attempts, tiers: [ownTier, ...done.tiers], ...(done.votes === undefined ? {} : { votes: done.votes }) };
  }

  const failures = await job.getIgnoredChildrenFailures();
  const failure = Object.entries(failures).find(([key]) => childKey(key))?.[1];
  if (failure === undefined) {
    deps.log.warn({ childId: escalation.childId }, 'escalated child not found: adding it again');
    return waitForChild(deps, job, token);
  }

  const child = await deps.queues.queue(escalation.toTier).getJob(escalation.childId);
  const attempts = child?.data.attempts ?? job.data.attempts;
  const votes = child?.data.votes ?? job.data.votes;
  // A climb refused for a spent budget keeps the answer already paid for, whatever onChildFailure says.
  const refused = failure.startsWith(BUDGET_REFUSAL);
  const message = refused ? `the escalation to tier ${escalation.toTier} was not run: ${failure}` : `escalation to tier ${escalation.toTier} failed: ${failure}`;
  deps.log.warn({ childId: escalation.childId, policy: deps.fleet.cascade.onChildFailure }, message);
  if ((refused || deps.fleet.cascade.onChildFailure === 'best-answer') && escalation.best !== undefined) {
    return {
      answer: { ...escalation.best, acceptedBecause: `best answer kept: ${message}` },
      attempts,
      tiers: [ownTier, escalation.toTier],
      ...(votes === undefined ? {} : { votes: votes.map(({ tier, model, answer }) => ({ tier, model, answer })) }),
    };
  }
  await job.updateData({ ...job.data, attempts });
  throw new UnrecoverableError(message);
}
