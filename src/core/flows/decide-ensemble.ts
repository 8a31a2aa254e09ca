import type { ChildStatus } from './child-status.js';
import { isUnfinished } from './child-status.js';
import { describePolicy, type MemberFailurePolicy } from './flow-definitions.js';
import type { FlowChildOutcome } from './flow-report.js';
import type { MemberAnswer } from './member-answer.js';
import { describeTarget, type FlowTarget } from './resolve-flow-target.js';

/** One member of a running ensemble: where it runs, and how its child (and fallback child) stand. */
export interface MemberRun {
  /** From 1. */
  member: number;
  target: FlowTarget;
  weight: number;
  status: ChildStatus;
  fallback?: { target: FlowTarget; status: ChildStatus };
}

export type EnsembleMove =
  | { action: 'wait' }
  /** Add a fallback child for each of these members, then wait. */
  | { action: 'fallback'; members: number[] }
  | { action: 'fail'; reason: string }
  /** Every member has settled: combine these answers; `notes` tell what happened to the others. */
  | { action: 'combine'; answers: Omit<MemberAnswer, 'answer'>[]; notes: string[] };

export function memberLabel(run: MemberRun, of: number): string {
  return `member ${run.member} of ${of} (${describeTarget(run.target)})`;
}

/**
 * What an ensemble does next, once its children have run: wait for the
 * unfinished, add fallbacks for failed members (policy `fallback`), fail
 * (policy `fail`, a fallback that failed too, or fewer answers than
 * `minMembers`), or combine the answers it has (failed members dropped
 * under `ignore`). Pure.
 */
export function decideEnsemble(runs: readonly MemberRun[], policy: MemberFailurePolicy, minMembers = 1): EnsembleMove {
  if (runs.some((r) => isUnfinished(r.status) || (r.fallback !== undefined && isUnfinished(r.fallback.status)))) return { action: 'wait' };
  const answers: Omit<MemberAnswer, 'answer'>[] = [];
  const notes: string[] = [];
  const needFallback: number[] = [];
  for (const run of runs) {
    const label = memberLabel(run, runs.length);
    const answered = (status: ChildStatus, target: FlowTarget): void => {
      if (status.state === 'completed') {
        answers.push({ member: run.member, tier: target.tier, model: status.model, text: status.text, weight: run.weight, ...(status.refused ? { refused: true } : {}) });
      }
    };
    if (run.status.state === 'completed') {
      answered(run.status, run.target);
      continue;
    }
    const error = run.status.state === 'failed' ? run.status.error : 'no outcome';
    if (run.fallback !== undefined) {
      const fb = run.fallback;
      if (fb.status.state === 'failed') {
        return { action: 'fail', reason: `${label} failed: ${error}; its fallback ${describeTarget(fb.target)} failed too: ${fb.status.error}` };
      }
      answered(fb.status, fb.target);
      notes.push(`${label} failed (${error}); its fallback ${describeTarget(fb.target)} answered`);
    } else if (policy === 'fail') {
      return { action: 'fail', reason: `${label} failed: ${error} (onMemberFailure: fail)` };
    } else if (policy === 'ignore') {
      notes.push(`${label} failed and was ignored: ${error}`);
    } else {
      needFallback.push(run.member);
    }
  }
  if (needFallback.length > 0) return { action: 'fallback', members: needFallback };
  if (answers.length < minMembers) {
    return {
      action: 'fail',
      reason: `only ${answers.length} of ${runs.length} members answered; the ensemble needs at least ${minMembers} (minMembers)${notes.length === 0 ? '' : `: ${notes.join('; ')}`}`,
    };
  }
  return { action: 'combine', answers, notes };
}

/** What became of a member's child and of its fallback, for the job's result. Pure. */
export function memberOutcomes(run: MemberRun, policy: MemberFailurePolicy): { own: FlowChildOutcome; fallback?: FlowChildOutcome; note?: string } {
  const plain = (status: ChildStatus): FlowChildOutcome =>
    status.state === 'completed' ? 'answered' : status.state === 'failed' ? 'failed' : status.state === 'missing' ? 'queued' : status.state;
  if (run.fallback !== undefined) {
    return { own: 'replaced', fallback: plain(run.fallback.status), note: `failed; its fallback ${describeTarget(run.fallback.target)} ran in its place` };
  }
  if (run.status.state === 'failed' && policy === 'ignore') return { own: 'ignored', note: `failed; left out (onMemberFailure: ${describePolicy(policy)})` };
  return { own: plain(run.status) };
}
