/** Asks a judge model to grade an answer from 0 to 10. */
export const DEFAULT_JUDGE_PROMPT = [
  'You grade answers. Read the question and the answer below, then rate how likely the answer is correct and complete,',
  'from 0 (certainly wrong) to 10 (certainly right). Reply with the line "Score: N" and nothing else.',
  '',
  'Question:',
  '{{question}}',
  '',
  'Answer:',
  '{{answer}}',
].join('\n');

/** The judge's prompt for one answer. */
export function judgePrompt(template: string, question: string, answer: string): string {
  return template.split('{{question}}').join(question).split('{{answer}}').join(answer);
}

/**
 * The judge's grade as a confidence in [0, 1]: `Score: 7` (or `7/10`, or a
 * lone number from 0 to 10) → 0.7. Undefined when the reply holds no grade.
 */
export function parseJudgeScore(reply: string): number | undefined {
  const match = /score\s*[:=]?\s*(\d+(?:\.\d+)?)/i.exec(reply) ?? /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*10)?\s*\.?\s*$/.exec(reply);
  if (match?.[1] === undefined) return undefined;
  const value = Number(match[1]);
  if (value < 0 || value > 10) return undefined;
  return value / 10;
}
