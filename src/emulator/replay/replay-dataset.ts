/** One recorded answer of one model to one prompt. */
export interface ReplayAnswer {
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** What the recorded call cost, in USD, as the dataset says. */
  recordedCostUsd: number;
  /** Whether the answer was graded correct; undefined when not graded. */
  correct: boolean | undefined;
}

/** Recorded answers, looked up by prompt text and dataset model name. */
export interface ReplayDataset {
  lookup(prompt: string, model: string): ReplayAnswer | undefined;
  /** Dataset model names that have at least one answer. */
  models(): string[];
  /** Number of distinct prompts. */
  readonly size: number;
}

/** Prompts match after trimming and normalising line endings. */
export function promptKey(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}
