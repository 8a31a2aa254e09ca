import { scoreAgreement, type Agreement, type Vote } from './score-agreement.js';

/** When accumulated votes settle an answer. */
export interface VotePolicy {
  /** Agreeing votes needed to accept. */
  quorum: number;
  /** Votes this stage may gather at most before it gives up and escalates. */
  maxVotes: number;
}

export type VoteDecision =
  | { action: 'accept'; agreement: Agreement; reason: string }
  | { action: 'more'; agreement: Agreement; reason: string }
  | { action: 'escalate'; agreement: Agreement; reason: string };

/**
 * Accept when `quorum` votes agree; ask one more voter while the quorum can
 * still be reached within `maxVotes`; else escalate. Votes accumulate
 * across tiers, so a higher tier adds to what lower tiers said. Pure.
 */
export function decideVote(votes: readonly Vote[], policy: VotePolicy): VoteDecision {
  const agreement = scoreAgreement(votes);
  const shown = `${agreement.agreeing}/${agreement.total} agree${agreement.answer === undefined ? '' : ` on ${agreement.answer}`}`;
  if (agreement.answer !== undefined && agreement.agreeing >= policy.quorum) {
    return { action: 'accept', agreement, reason: `${shown}: quorum ${policy.quorum} reached` };
  }
  const left = policy.maxVotes - votes.length;
  if (left > 0 && agreement.agreeing + left >= policy.quorum) {
    return { action: 'more', agreement, reason: `${shown}: quorum ${policy.quorum} still reachable with ${left} more` };
  }
  return { action: 'escalate', agreement, reason: `${shown}: quorum ${policy.quorum} out of reach within ${policy.maxVotes} votes` };
}
