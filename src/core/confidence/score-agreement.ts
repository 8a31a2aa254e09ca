/** One model's (or one sample's) extracted answer. */
export interface Vote {
  tier: string;
  model: string;
  /** Undefined when nothing could be extracted: an abstention. */
  answer: string | undefined;
}

export interface Agreement {
  /** The answer most votes share; undefined when none was extracted or the top is tied. */
  answer: string | undefined;
  /** Votes for that answer. */
  agreeing: number;
  /** All votes, abstentions included. */
  total: number;
  /** Share of all votes agreeing with the answer, in [0, 1]. */
  confidence: number;
}

/** Agreement among votes: confidence is the share that agree on the most common answer. A pure function. */
export function scoreAgreement(votes: readonly Vote[]): Agreement {
  const counts = new Map<string, number>();
  for (const vote of votes) if (vote.answer !== undefined) counts.set(vote.answer, (counts.get(vote.answer) ?? 0) + 1);
  let answer: string | undefined;
  let agreeing = 0;
  let tied = false;
  for (const [candidate, count] of counts) {
    if (count > agreeing) {
      answer = candidate;
      agreeing = count;
      tied = false;
    } else if (count === agreeing) tied = true;
  }
  const total = votes.length;
  if (tied) return { answer: undefined, agreeing, total, confidence: total === 0 ? 0 : agreeing / total };
  return { answer, agreeing, total, confidence: total === 0 ? 0 : agreeing / total };
}
