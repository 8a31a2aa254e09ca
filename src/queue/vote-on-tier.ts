import type { Logger } from 'pino';
import type { CascadePolicy } from '../core/cascade/cascade-policy.js';
import { decideTierVote } from '../core/confidence/decide-tier-vote.js';
import { extractAnswer, type Extractor } from '../core/confidence/extract-answer.js';
import { isContentPolicyStop } from '../core/fallback/content-policy.js';
import type { Attempt, AttemptOutcome } from '../core/job/attempt.js';
import type { JobAnswer } from '../core/job/job-answer.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { TierAnswer } from '../resilience/call-tier-models.js';
import { TierCallError } from '../resilience/tier-call-error.js';
import { answerAttempt } from './answer-attempt.js';
import type { CastVote, TierJobData } from './tier-job-data.js';

export interface VoteStep {
  tier: string;
  /** The tier's model ids, in order. */
  models: readonly string[];
  policy: CascadePolicy & { extractor: Extractor };
  data: TierJobData;
  log: Logger;
  now: () => number;
  /**
   * Gets one answer from the tier, from any of `models` (the first preferred; the others stand in when it
   * fails); `exclude` are never asked as a fallback (they voted already).
   */
  call(models: readonly string[], exclude: readonly string[]): Promise<TierAnswer>;
  /** Saves votes and attempts on the job, so a retry does not pay for them again. */
  save(data: TierJobData): Promise<void>;
  /** Why the job may not climb any more (its budget is spent), or undefined; it then keeps its best answer here. */
  mayNotClimb?(): Promise<string | undefined>;
  /** Hands the job to the next tier of its path. */
  escalate(step: { toTier: string; reason: string; best: JobAnswer; attempts: Attempt[]; data: TierJobData }): Promise<TierOutcome>;
  /** What a failed call means for the job when no stronger tier can take over (throws). */
  failed(error: TierCallError): Promise<never>;
}

const publicVotes = (votes: readonly CastVote[]) => votes.map(({ tier, model, answer }) => ({ tier, model, answer }));

function toAnswer(vote: CastVote, confidence: number, reason: string): JobAnswer {
  return {
    text: vote.text,
    tier: vote.tier,
    model: vote.model,
    confidence,
    stopReason: vote.stopReason,
    usage: vote.usage,
    costUsd: vote.costUsd,
    acceptedBecause: reason,
  };
}

/**
 * One tier's turn in an agreement cascade: its voters answer one at a time
 * (a failing voter is replaced by the tier's next model), each answer is
 * reduced to a vote by the policy's extractor, and the votes of every tier
 * so far decide whether to accept, ask another voter, or escalate (a job
 * that may not climb, its budget spent, keeps its best answer). Votes and
 * attempts are saved after each call.
 */
/** The attempts with the last vote cast on `tier` marked as the tier's decision (none is marked when the tier has no vote). */
function settleLastVote(attempts: readonly Attempt[], tier: string, outcome: AttemptOutcome): Attempt[] {
  const at = attempts.findLastIndex((attempt) => attempt.tier === tier && attempt.outcome === 'voted');
  return attempts.map((attempt, i) => (i === at ? { ...attempt, outcome } : attempt));
}

export async function voteOnTier(step: VoteStep): Promise<TierOutcome> {
  const { tier, policy } = step;
  const top = step.data.path.length <= 1;
  const voting = policy.votes?.[tier] ?? { voters: 1 };
  let data = step.data;
  const failedHere = new Set<string>();
  let askedAtOnce = false;

  for (;;) {
    const votes = data.votes ?? [];
    const decision = decideTierVote({ votes, tier, voting, top });
    const latest = votes.at(-1);
    if (decision.action !== 'more' && latest !== undefined) {
      const stop = decision.action === 'escalate' ? await step.mayNotClimb?.() : undefined;
      const lastCall = data.attempts.at(-1);
      const settled: AttemptOutcome = decision.action === 'accept' || stop !== undefined ? 'accepted' : 'escalated';
      const attempts = lastCall === undefined ? data.attempts : [...data.attempts.slice(0, -1), { ...lastCall, outcome: settled }];
      const chosen = [...votes].reverse().find((vote) => vote.answer !== undefined && vote.answer === decision.agreement.answer) ?? latest;
      const listed = votes.map((vote) => `${vote.model}: ${vote.answer ?? '—'}`).join(', ');
      const reason = `${decision.reason} [${listed}]`;
      step.log.info({ decision: decision.action, votes: publicVotes(votes), confidence: decision.agreement.confidence }, settled === 'accepted' ? 'job answered by vote' : 'job escalates: no quorum');
      if (decision.action === 'accept') {
        const answer = toAnswer(decision.answer === undefined ? latest : chosen, decision.agreement.confidence, reason);
        return { answer, attempts, tiers: [tier], votes: publicVotes(votes) };
      }
      if (stop !== undefined) {
        return { answer: toAnswer(chosen, decision.agreement.confidence, `${reason}; ${stop}`), attempts, tiers: [tier], votes: publicVotes(votes) };
      }
      const toTier = data.path[1];
      if (toTier === undefined) throw new Error(`tier ${tier} escalates, but it is the top of the path`);
      return step.escalate({ toTier, reason, best: toAnswer(chosen, decision.agreement.confidence, reason), attempts, data: { ...data, attempts } });
    }

    const asked = new Set([...votes.filter((vote) => vote.tier === tier).map((vote) => vote.model), ...failedHere]);
    // The policy's voters first, in its order; the tier's other models stand in when they fail.
    const voters = voting.models ?? step.models;
    const untried = [...voters, ...step.models.filter((model) => !voters.includes(model))].filter((model) => !asked.has(model));
    // A model that voted on a lower tier (one listed in both, or a window fallback) would only repeat itself:
    // it is asked again only when nobody else is left.
    const votedBelow = new Set(votes.map((vote) => vote.model));
    const fresh = untried.filter((model) => !votedBelow.has(model));
    const candidates = fresh.length > 0 ? fresh : untried;

    if (voting.parallel === true && !askedAtOnce && votes.every((vote) => vote.tier !== tier)) {
      // One round with every voter at once; a voter that fails is replaced one at a time afterwards.
      askedAtOnce = true;
      const round = candidates.slice(0, voting.voters);
      const startedAt = step.now();
      const settled = await Promise.allSettled(round.map((model) => step.call([model], [...votedBelow])));
      const failures: Attempt[] = [];
      const cast: { vote: CastVote; attempt: Attempt }[] = [];
      const errors: TierCallError[] = [];
      // Two voters of the round may fall back to the same model at once: its second answer abstains.
      const seen = new Set(votedBelow);
      for (const [i, outcome] of settled.entries()) {
        if (outcome.status === 'fulfilled') {
          failures.push(...outcome.value.failures);
          const repeat = outcome.value.fallback && seen.has(outcome.value.model);
          seen.add(outcome.value.model);
          cast.push(castVote(outcome.value, startedAt, repeat));
        } else if (outcome.reason instanceof TierCallError) {
          failures.push(...outcome.reason.attempts);
          errors.push(outcome.reason);
          failedHere.add(round[i] ?? '');
        } else throw outcome.reason;
      }
      data = { ...data, votes: [...votes, ...cast.map((c) => c.vote)], attempts: [...data.attempts, ...failures, ...cast.map((c) => c.attempt)] };
      await step.save(data);
      const stopped = errors.find((e) => e.reason === 'cancelled') ?? errors.find((e) => e.reason === 'all-throttled');
      if (cast.length === 0 && errors[0] !== undefined) return step.failed(stopped ?? errors[0]);
      continue;
    }
    const startedAt = step.now();
    let answered: TierAnswer;
    try {
      if (candidates.length === 0) throw new Error(`tier ${tier} has no model left to vote`);
      answered = await step.call(candidates, [...votedBelow]);
    } catch (error) {
      const callError = error instanceof TierCallError ? error : undefined;
      if (callError !== undefined) {
        for (const attempt of callError.attempts) failedHere.add(attempt.model);
        data = { ...data, attempts: [...data.attempts, ...callError.attempts] };
      }
      // Every model of the tier throttled (none has voted here yet): the queue pauses and the job waits. When one
      // of them answered, the tier merely ran out of voters, and the job climbs with the votes it has.
      const throttled = (callError?.reason === 'all-throttled' && votes.every((vote) => vote.tier !== tier)) || callError?.reason === 'cancelled';
      const toTier = data.path[1];
      const best = votes.at(-1);
      if (throttled || toTier === undefined || best === undefined) {
        if (callError !== undefined) return step.failed(callError);
        throw error;
      }
      const message = error instanceof Error ? error.message : String(error);
      const reason = `tier ${tier} could not gather its votes (${message})`;
      const stop = await step.mayNotClimb?.();
      // The tier's last vote carries its decision, as when its votes settle it (the statistics count decisions by it).
      const attempts = settleLastVote(data.attempts, tier, stop === undefined ? 'escalated' : 'accepted');
      if (stop !== undefined) return { answer: toAnswer(best, 0, `${reason}; ${stop}`), attempts, tiers: [tier], votes: publicVotes(votes) };
      step.log.warn({ toTier }, reason);
      return step.escalate({ toTier, reason, best: toAnswer(best, 0, reason), attempts, data: { ...data, attempts } });
    }

    for (const failure of answered.failures) failedHere.add(failure.model);
    const { vote, attempt } = castVote(answered, startedAt);
    data = { ...data, votes: [...votes, vote], attempts: [...data.attempts, ...answered.failures, attempt] };
    await step.save(data);
  }

  /**
   * An answer as a vote (the extractor's reading of it) and the attempt that records it.
   * A refusal (guardrail, content filter) abstains: refusals must not agree with each other;
   * so does a `repeat`, a fallback model's second answer for the job.
   */
  function castVote({ result, model, fallback }: TierAnswer, startedAt: number, repeat = false): { vote: CastVote; attempt: Attempt } {
    const vote: CastVote = {
      tier,
      model,
      answer: repeat || isContentPolicyStop(result.stopReason) ? undefined : extractAnswer(result.text, policy.extractor),
      text: result.text,
      stopReason: result.stopReason,
      usage: result.usage,
      costUsd: result.costUsd,
    };
    return { vote, attempt: answerAttempt({ tier, model, result, outcome: 'voted', vote: vote.answer ?? null, fallback, startedAt }) };
  }
}
