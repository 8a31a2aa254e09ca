import { checkCustomResult } from '../../core/flows/check-custom-result.js';
import { decideEnsemble } from '../../core/flows/decide-ensemble.js';
import { combineBuiltIn, ensembleAnswer, ensembleReport, ensembleRuns, extractAnswers } from '../../core/flows/ensemble-progress.js';
import type { ChildRead, FlowChildRef } from '../../core/flows/flow-plan.js';
import type { CombineOutcome, MemberAnswer } from '../../core/flows/member-answer.js';
import { addChildUnlessCancelled } from './add-flow-child.js';
import { flowChildData, readFlowChildren, type FlowJob } from './flow-children.js';
import type { EnsembleState, FlowOutcome } from './flow-job-data.js';
import { memberChildId } from './flow-queue-names.js';
import type { FlowRunDeps } from './flow-run-deps.js';
import { failFlow, flowAttempts, flowTiers, saveFlow, waitForChildren } from './end-flow.js';
import { CombinerLoadError } from './load-combiner.js';
import type { TierJobData } from '../tier-job-data.js';

function ensembleOf(job: FlowJob): EnsembleState {
  const flow = job.data.flow;
  if (flow.kind !== 'ensemble') throw new Error('not an ensemble');
  return flow;
}

/** Adds the children the parent planned but that are not in their queues yet (the first run, or a run after a crash). */
async function addMissing(deps: FlowRunDeps, job: FlowJob, state: EnsembleState, reads: ChildRead[]): Promise<ChildRead[]> {
  const of = state.plan.members.length;
  // Every add settles before any failure is thrown: a cancelled flow stops each child it added.
  const settled = await Promise.allSettled(
    reads.map(async (read): Promise<ChildRead> => {
      if (read.status.state !== 'missing') return read;
      const what = `member ${read.ref.index} of ${of} of ensemble "${state.name}"`;
      const reason = read.ref.fallback ? `fallback for ${what}` : what;
      await addChildUnlessCancelled(deps, job, read.ref, { ...flowChildData(job.data, read.ref, job.data.request, reason, deps.now()), ...familyOf(job.data) });
      deps.log.info({ childId: read.ref.childId, tier: read.ref.tier, model: read.ref.model }, `${reason}: added`);
      return { ...read, status: { state: 'queued' } };
    }),
  );
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
}

async function combine(deps: FlowRunDeps, state: EnsembleState, answers: MemberAnswer[]): Promise<CombineOutcome> {
  const { plan } = state;
  if (plan.combine !== 'custom') return combineBuiltIn(plan, answers);
  const path = plan.combiner ?? '';
  const combiner = await deps.loadCombiner(path);
  try {
    const members = answers.map((a) => ({
      member: a.member,
      model: a.model,
      tier: a.tier,
      text: a.text,
      weight: a.weight,
      ...(a.answer === undefined ? {} : { answer: a.answer }),
    }));
    return checkCustomResult(await combiner(members), path);
  } catch (error) {
    return { ok: false, reason: `custom combiner ${path} threw: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Runs an ensemble's parent: adds one child per member to the members'
 * tier queues, waits for them all, adds fallback children for failed
 * members when the policy says so, then combines the answers (or fails,
 * naming the member and why). Every child is saved on the parent before it
 * is added, so a parent that runs again after a crash adds only the missing.
 */
/** Members ask what the job asks, so they get its template variants per model family too. */
const familyOf = (data: { requestByFamily?: TierJobData['requestByFamily'] }) =>
  data.requestByFamily === undefined ? {} : { requestByFamily: data.requestByFamily };

export async function runEnsemble(deps: FlowRunDeps, job: FlowJob, token: string): Promise<FlowOutcome> {
  for (;;) {
    const state = ensembleOf(job);
    const { plan, name } = state;
    if (state.children.length === 0) {
      const children = plan.members.map((m, i): FlowChildRef => ({
        childId: memberChildId(job.data.id, i + 1, false),
        index: i + 1,
        tier: m.target.tier,
        ...(m.target.model === undefined ? {} : { model: m.target.model }),
        fallback: false,
      }));
      await saveFlow(job, { ...state, children });
      continue;
    }
    const reads = await addMissing(deps, job, state, await readFlowChildren(deps.queues, job, state.children));
    const move = decideEnsemble(ensembleRuns(plan, reads), plan.onMemberFailure, plan.minMembers);
    if (move.action === 'wait') {
      await waitForChildren(job, token);
      continue;
    }
    if (move.action === 'fallback') {
      const target = plan.fallbackTarget;
      if (target === undefined) throw new Error(`ensemble "${name}" has no fallback target`);
      const fallbacks = move.members.map((member): FlowChildRef => ({
        childId: memberChildId(job.data.id, member, true),
        index: member,
        tier: target.tier,
        ...(target.model === undefined ? {} : { model: target.model }),
        fallback: true,
      }));
      deps.log.warn({ members: move.members }, `ensemble "${name}": failed members run again on the fallback`);
      await saveFlow(job, { ...state, children: [...state.children, ...fallbacks] });
      continue;
    }
    const report = ensembleReport(name, plan, reads);
    if (move.action === 'fail') return failFlow(job, reads, report, `ensemble "${name}": ${move.reason}`);

    let combined: CombineOutcome;
    try {
      combined = await combine(deps, state, extractAnswers(plan, move.answers));
    } catch (error) {
      if (!(error instanceof CombinerLoadError)) throw error;
      return failFlow(job, reads, report, `ensemble "${name}": ${error.message}`);
    }
    if (!combined.ok) return failFlow(job, reads, report, `ensemble "${name}": ${combined.reason}`);
    const answer = ensembleAnswer({ name, plan, combined: combined.combined, reads, notes: move.notes });
    deps.log.info({ confidence: answer.confidence, reason: answer.acceptedBecause }, 'ensemble combined');
    return { answer, attempts: flowAttempts(reads), tiers: flowTiers(reads), flow: report };
  }
}
