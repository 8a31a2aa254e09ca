/** Where one child of a flow stands, as its parent reads it. */
export type ChildStatus =
  /** Planned but not in its queue (a parent resuming after a crash adds it). */
  | { state: 'missing' }
  | { state: 'queued' | 'active' }
  /** `refused`: a guardrail or content filter stopped the answer (as an ensemble member, it abstains). */
  | { state: 'completed'; text: string; model: string; confidence: number; refused?: true }
  | { state: 'failed'; error: string };

export function isUnfinished(status: ChildStatus): boolean {
  return status.state === 'missing' || status.state === 'queued' || status.state === 'active';
}
