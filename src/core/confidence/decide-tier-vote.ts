import type { TierVoting } from '../cascade/cascade-policy.js';
import { decideVote } from './decide-vote.js';
import { scoreAgreement, type Agreement, type Vote } from './score-agreement.js';

export type TierVoteDecision =
  | { action: 'accept'; agreement: Agreement; answer: string | undefined; reason: string }
  | { action: 'more'; agreement: Agreement; reason: string }
  | { action: 'escalate'; agreement: Agreement; reason: string };

export interface TierVoteInput {
  /** Every vote so far, lower tiers' first; this tier's are those with its name. */
  votes: readonly Vote[];
  tier: string;
  voting: TierVoting;
  /** Whether this tier is the last of the job's path. */
  top: boolean;
}

/**
 * One tier's verdict under the agreement scorer. The tier asks its voters
 * in turn; votes of lower tiers count too. It accepts once `quorum` votes
 * agree (a strict majority of every vote it could gather when unset), asks
 * another voter while the quorum is still reachable, and else escalates. The
 * top of the path never escalates: without a quorum it keeps its own latest
 * answer. Pure.
 */
export function decideTierVote(input: TierVoteInput): TierVoteDecision {
  const own = input.votes.filter((vote) => vote.tier === input.tier);
  const before = input.votes.length - own.length;
  const maxVotes = before + input.voting.voters;
  const quorum = input.voting.quorum ?? (input.top ? Infinity : Math.floor(maxVotes / 2) + 1);
  if (own.length === 0) return { action: 'more', agreement: scoreAgreement(input.votes), reason: `tier ${input.tier} has not voted yet` };

  const verdict = Number.isFinite(quorum) ? decideVote(input.votes, { quorum, maxVotes }) : undefined;
  if (verdict?.action === 'accept') return { ...verdict, answer: verdict.agreement.answer };
  if (own.length < input.voting.voters && (verdict === undefined || verdict.action === 'more')) {
    return { action: 'more', agreement: verdict?.agreement ?? scoreAgreement(input.votes), reason: verdict?.reason ?? `tier ${input.tier} asks voter ${own.length + 1} of ${input.voting.voters}` };
  }
  const agreement = verdict?.agreement ?? scoreAgreement(input.votes);
  if (input.top) {
    const last = own.at(-1)?.answer;
    const agreeing = input.votes.filter((vote) => vote.answer !== undefined && vote.answer === last).length;
    const shown = last === undefined ? 'no answer could be extracted' : `${agreeing}/${input.votes.length} votes say ${last}`;
    const why = verdict === undefined ? '' : `${verdict.reason}; `;
    return {
      action: 'accept',
      agreement: { answer: last, agreeing, total: input.votes.length, confidence: input.votes.length === 0 ? 0 : agreeing / input.votes.length },
      answer: last,
      reason: `${why}tier ${input.tier} is the top of the path, so its own answer stands (${shown})`,
    };
  }
  return { action: 'escalate', agreement, reason: verdict?.reason ?? `${agreement.agreeing}/${agreement.total} agree: no quorum on tier ${input.tier}` };
}
