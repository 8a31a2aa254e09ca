import { formatNumber, type CombineOutcome, type MemberAnswer } from './member-answer.js';

/**
 * The mean (or weight-weighted mean) of the numbers the members answered.
 * Members without a number are left out; confidence is the share of members
 * (by weight, when weighted) whose number counted. Pure.
 */
export function combineMean(members: readonly MemberAnswer[], weighted: boolean): CombineOutcome {
  const label = weighted ? 'weighted mean' : 'mean';
  const numbers = members.flatMap((m) => {
    const value = m.answer === undefined ? Number.NaN : Number(m.answer);
    return Number.isFinite(value) ? [{ member: m, value, weight: weighted ? m.weight : 1 }] : [];
  });
  const without = members.length - numbers.length;
  const missing = without === 0 ? '' : `; ${without} of ${members.length} gave no number and were left out`;
  if (numbers.length === 0) return { ok: false, reason: `${label}: none of the ${members.length} answers held a number` };
  const weight = numbers.reduce((sum, n) => sum + n.weight, 0);
  if (weight <= 0) return { ok: false, reason: `${label}: the members that gave a number have a total weight of 0` };
  const mean = numbers.reduce((sum, n) => sum + n.value * n.weight, 0) / weight;
  const allWeight = members.reduce((sum, m) => sum + (weighted ? m.weight : 1), 0);
  const terms = numbers.map((n) => (weighted ? `${formatNumber(n.value)}×${formatNumber(n.weight)}` : formatNumber(n.value)));
  return {
    ok: true,
    combined: {
      text: formatNumber(mean),
      confidence: allWeight > 0 ? Math.min(1, weight / allWeight) : 0,
      reason: `${label} of ${numbers.length} number${numbers.length === 1 ? '' : 's'} (${terms.join(', ')}) = ${formatNumber(mean)}${missing}`,
    },
  };
}
