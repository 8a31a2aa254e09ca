import { access, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, formatPath } from '../config/config-error.js';
import { scenarioSchema } from '../emulator/scenario-schema.js';
import { CliError, errorCode, EXIT } from './cli-error.js';

function reason(error: unknown): string {
  const code = errorCode(error);
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'a folder, not a file';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks an emulator scenario file before anything is started for it (the
 * demo and `fleet up` start Redis and the emulator process first otherwise,
 * and the emulator's failure surfaces late, as "exited before printing its
 * URL"): it must be readable (else a CliError, exit 2), YAML or JSON, valid
 * against the scenario schema, and every replay file it names must be
 * readable (else a ConfigError naming the fields, exit 2). The replay files
 * are not parsed here: the emulator does that.
 */
export async function checkScenarioFile(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the scenario "${file}": ${reason(error)}; pass a scenario file (YAML or JSON), e.g. examples/scenarios/chaos.yaml`, EXIT.usage);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(file, [{ where: 'file', message: `not YAML or JSON: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const parsed = scenarioSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((i) => ({ where: formatPath(i.path), message: i.message })));
  }
  const replayFiles = parsed.data.replay?.routerbench ?? [];
  const missing: { where: string; message: string }[] = [];
  for (const [i, name] of replayFiles.entries()) {
    const path = resolve(dirname(file), name);
    await access(path).catch((error: unknown) => missing.push({ where: `replay.routerbench[${i}]`, message: `cannot read "${path}": ${reason(error)}` }));
  }
  if (missing.length > 0) throw new ConfigError(file, missing);
}
