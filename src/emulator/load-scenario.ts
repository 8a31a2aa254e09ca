import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, formatPath } from '../config/config-error.js';
import { loadRouterBench, type RouterBenchSkip } from './replay/load-routerbench.js';
import type { ReplayDataset } from './replay/replay-dataset.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

export interface LoadedScenario {
  scenario: Scenario;
  replay: ReplayDataset | undefined;
  /** Rows or answers of the replay files that could not be used. */
  skipped: RouterBenchSkip[];
}

/** Validates a scenario object; replay files are read relative to `baseDir`. */
export async function prepareScenario(raw: unknown, source: string, baseDir: string): Promise<LoadedScenario> {
  const parsed = scenarioSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((i) => ({ where: formatPath(i.path), message: i.message })),
    );
  }
  const scenario = parsed.data;
  if (scenario.replay === undefined) return { scenario, replay: undefined, skipped: [] };
  const files = scenario.replay.routerbench.map((f) => resolve(baseDir, f));
  const loaded = await loadRouterBench(files).catch((error: unknown) => {
    throw new ConfigError(source, [
      { where: 'replay.routerbench', message: `cannot load the replay files: ${(error as Error).message}` },
    ]);
  });
  return { scenario, replay: loaded.dataset, skipped: loaded.skipped };
}

/** Reads a scenario file (YAML or JSON) and the replay data it names. */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [{ where: 'file', message: `cannot read the scenario: ${(error as Error).message}` }]);
  }
  return prepareScenario(raw, file, dirname(file));
}
