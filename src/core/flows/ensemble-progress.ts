import type { JobAnswer } from '../job/job-answer.js';
import type { TokenUsage } from '../model-result.js';
import { combineMean } from './combine-mean.js';
import { combineVote } from './combine-vote.js';
import { memberOutcomes, type MemberRun } from './decide-ensemble.js';
import { extractMemberAnswer } from './extract-member-answer.js';
import { FLOWS_ENTRY, describePolicy } from './flow-definitions.js';
import { childCost, refTarget, type ChildRead, type EnsemblePlan } from './flow-plan.js';
import type { FlowChildOutcome, FlowMemberView, FlowReport } from './flow-report.js';
import type { CombinedAnswer, CombineOutcome, MemberAnswer } from './member-answer.js';

const isNumeric = (plan: EnsemblePlan): boolean => plan.combine === 'mean' || plan.combine === 'weighted-mean';

/** Each member of the plan with how its child and fallback child stand, from what the parent read. Pure. */
export function ensembleRuns(plan: EnsemblePlan, reads: readonly ChildRead[]): MemberRun[] {
  return plan.members.map((m, i): MemberRun => {
    const member = i + 1;
    const own = reads.find((r) => r.ref.index === member && !r.ref.fallback);
    const fallback = reads.find((r) => r.ref.index === member && r.ref.fallback);
    return {
      member,
      target: m.target,
      weight: m.weight,
      status: own?.status ?? { state: 'missing' },
      ...(fallback === undefined ? {} : { fallback: { target: refTarget(fallback.ref), status: fallback.status } }),
    };
  });
}

/** The answers to combine, with what the plan's extractor finds in each (nothing in a refusal: it abstains). Pure. */
export function extractAnswers(plan: EnsemblePlan, answers: readonly Omit<MemberAnswer, 'answer'>[]): MemberAnswer[] {
  return answers.map((a) => ({ ...a, answer: a.refused ? undefined : extractMemberAnswer(a.text, plan.extractor, isNumeric(plan)) }));
}

/** Combines by the plan's built-in rule (vote, mean, weighted mean); `custom` is the caller's. Pure. */
export function combineBuiltIn(plan: EnsemblePlan, answers: readonly MemberAnswer[]): CombineOutcome {
  switch (plan.combine) {
    case 'vote':
      return combineVote(answers);
    case 'mean':
      return combineMean(answers, false);
    case 'weighted-mean':
      return combineMean(answers, true);
    case 'custom':
      return { ok: false, reason: 'a custom combiner is not built in' };
  }
}

function memberView(input: {
  member: number;
  weight: number;
  read: ChildRead | undefined;
  fallbackTarget?: MemberRun['target'];
  plan: EnsemblePlan;
  outcome: FlowChildOutcome;
  note?: string | undefined;
}): FlowMemberView {
  const { read } = input;
  const target = read === undefined ? (input.fallbackTarget ?? input.plan.members[input.member - 1]?.target) : refTarget(read.ref);
  const text = read?.answer?.text;
  const refused = read?.status.state === 'completed' && read.status.refused === true;
  const answer = text === undefined || refused ? undefined : extractMemberAnswer(text, input.plan.extractor, isNumeric(input.plan));
  return {
    member: input.member,
    tier: target?.tier ?? '',
    ...(target?.model === undefined ? {} : { model: target.model }),
    ...(read?.answer === undefined ? {} : { answeredModel: read.answer.model }),
    weight: input.weight,
    fallback: read?.ref.fallback ?? input.fallbackTarget !== undefined,
    outcome: input.outcome,
    ...(text === undefined ? {} : { text }),
    ...(answer === undefined ? {} : { answer }),
    ...(read?.status.state === 'failed' ? { error: read.status.error } : {}),
    costUsd: read === undefined ? 0 : childCost(read),
    ...(input.note === undefined ? {} : { note: input.note }),
  };
}

/** Every member (and fallback) of an ensemble as its result shows it. Pure. */
export function ensembleReport(name: string, plan: EnsemblePlan, reads: readonly ChildRead[]): FlowReport {
  const members: FlowMemberView[] = [];
  for (const run of ensembleRuns(plan, reads)) {
    const outcomes = memberOutcomes(run, plan.onMemberFailure);
    const own = reads.find((r) => r.ref.index === run.member && !r.ref.fallback);
    members.push(memberView({ member: run.member, weight: run.weight, read: own, plan, outcome: outcomes.own, note: outcomes.note }));
    if (run.fallback !== undefined) {
      const fallback = reads.find((r) => r.ref.index === run.member && r.ref.fallback);
      members.push(
        memberView({ member: run.member, weight: run.weight, read: fallback, fallbackTarget: run.fallback.target, plan, outcome: outcomes.fallback ?? 'queued' }),
      );
    }
  }
  return { kind: 'ensemble', name, combine: plan.combine, onMemberFailure: describePolicy(plan.onMemberFailure), members };
}

function addUsage(total: TokenUsage, usage: TokenUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
    totalTokens: total.totalTokens + usage.totalTokens,
  };
}

/**
 * The ensemble's answer: the combined text and confidence, on the flows
 * "tier" with model `ensemble:<name>`; usage and cost of every call that
 * answered; `acceptedBecause` says how it was combined and what became of
 * failed members. Pure.
 */
export function ensembleAnswer(input: { name: string; plan: EnsemblePlan; combined: CombinedAnswer; reads: readonly ChildRead[]; notes: readonly string[] }): JobAnswer {
  const answered = input.reads.filter((r) => r.answer !== undefined);
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  for (const r of answered) if (r.answer !== undefined) usage = addUsage(usage, r.answer.usage);
  const costUsd = Math.round(answered.reduce((sum, r) => sum + (r.answer?.costUsd ?? 0), 0) * 1e8) / 1e8;
  const notes = input.notes.length === 0 ? '' : `; ${input.notes.join('; ')}`;
  return {
    text: input.combined.text,
    tier: FLOWS_ENTRY,
    model: `ensemble:${input.name}`,
    confidence: input.combined.confidence,
    stopReason: 'end_turn',
    usage,
    costUsd,
    acceptedBecause: `ensemble "${input.name}" (${input.plan.combine}): ${input.combined.reason}${notes}`,
  };
}
