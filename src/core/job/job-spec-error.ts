/** One thing wrong with a submitted job, and the field it is in. */
export interface JobSpecProblem {
  /** Dotted path of the field, like `messages.0.content` or `tier`. */
  field: string;
  message: string;
}

/** A job refused at enqueue. Nothing of it was enqueued. */
export class JobSpecError extends Error {
  override readonly name = 'JobSpecError';
  readonly problems: JobSpecProblem[];

  constructor(problems: JobSpecProblem[]) {
    super(`job refused: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.problems = problems;
  }
}
