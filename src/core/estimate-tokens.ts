/**
 * A quick token estimate (about four characters a token for English text),
 * for budgeting and window checks before a call; a model's own count, from
 * its usage, is always the one that is billed.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}
