import { scoreAgreement } from '../confidence/score-agreement.js';
import type { CombineOutcome, MemberAnswer } from './member-answer.js';

const quote = (answer: string): string => JSON.stringify(answer);

/**
 * Majority vote over the members' extracted answers: the answer most members
 * gave wins (a plurality; a tie for the top wins nothing). Confidence is the
 * share of votes agreeing, abstentions included in the count. The text is
 * the full answer of the first member that voted for the winner. Pure.
 */
export function combineVote(members: readonly MemberAnswer[]): CombineOutcome {
  const agreement = scoreAgreement(members.map((m) => ({ tier: m.tier, model: m.model, answer: m.answer })));
  const counts = new Map<string, number>();
  for (const m of members) if (m.answer !== undefined) counts.set(m.answer, (counts.get(m.answer) ?? 0) + 1);
  const abstained = members.filter((m) => m.answer === undefined).length;
  const abstentions = abstained === 0 ? '' : `; ${abstained} gave no answer the extractor could read`;
  if (counts.size === 0) return { ok: false, reason: `vote: none of the ${members.length} answers held anything the extractor could read` };
  if (agreement.answer === undefined) {
    const top = [...counts].filter(([, n]) => n === agreement.agreeing).map(([a]) => quote(a));
    return {
      ok: false,
      reason: `vote: no majority among ${members.length} answers: ${top.join(' and ')} tie with ${agreement.agreeing} each${abstentions}`,
    };
  }
  const winner = agreement.answer;
  const voters = members.filter((m) => m.answer === winner);
  const first = voters[0];
  if (first === undefined) return { ok: false, reason: 'vote: the winning answer has no voter' };
  const others = members
    .filter((m) => m.answer !== undefined && m.answer !== winner)
    .map((m) => `${m.model} said ${quote(m.answer ?? '')}`);
  return {
    ok: true,
    combined: {
      text: first.text,
      confidence: agreement.confidence,
      reason:
        `vote: ${agreement.agreeing}/${agreement.total} agree on ${quote(winner)} (${voters.map((m) => m.model).join(', ')})` +
        (others.length === 0 ? '' : `; ${others.join(', ')}`) +
        abstentions,
    },
  };
}
