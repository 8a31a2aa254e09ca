export interface ConfigProblem {
  /** Where: a file path plus field path, or an environment variable name. */
  where: string;
  message: string;
}

/** The fleet cannot start with this configuration; the message says why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(source: string, problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${source}):\n` + problems.map((p) => `  - ${p.where}: ${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** `tiers.0.models.1.price` → `tiers[0].models[1].price` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}
