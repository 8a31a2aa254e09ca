/**
 * Replays RouterBench rows through a whole fleet on this machine: Redis
 * (REDIS_URL, or a private redis-server), the emulator answering with the
 * recorded answers, one worker process per tier of the policy's fleet file.
 * Every row becomes a cascade job; the results are read back by id.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { JobResult } from '../../src/core/job/job-result.js';
import { scenarioSchema } from '../../src/emulator/scenario-schema.js';
import type { RouterBenchRow } from '../../src/emulator/replay/load-routerbench.js';
import type { PreparedJob } from '../../src/queue/create-producer.js';
import { startLocalFleet } from '../../src/cli/start-local-fleet.js';
import { StartedFleet } from '../../src/cli/started-fleet.js';
import { waitForResults } from '../../src/cli/wait-for-results.js';

export interface ReplayRun {
  fleetName: string;
  results: Map<string, JobResult>;
  /** Fleet model id → recorded model, from the scenario. */
  modelMap: Record<string, string>;
  wallMs: number;
  logDir: string;
}

export interface ReplayRunOptions {
  policyFile: string;
  scenarioFile: string;
  csvFiles: string[];
  rows: readonly RouterBenchRow[];
  idOf: (row: RouterBenchRow) => string;
  timeoutMs: number;
  progress: (done: number, total: number) => void;
}


/** The scenario with its replay files replaced by the CSVs being replayed (absolute paths), written to `dir`. */
function writeScenario(scenarioFile: string, csvFiles: string[], dir: string): { file: string; modelMap: Record<string, string> } {
  const raw = (parseYaml(readFileSync(scenarioFile, 'utf8')) ?? {}) as Record<string, unknown>;
  const replay = { ...((raw.replay ?? {}) as Record<string, unknown>), routerbench: csvFiles.map((f) => resolve(f)) };
  const scenario = scenarioSchema.parse({ ...raw, replay });
  const file = join(dir, `scenario-${basename(scenarioFile)}`);
  writeFileSync(file, toYaml({ ...raw, replay }));
  return { file, modelMap: scenario.replay?.modelMap ?? {} };
}

export async function runReplay(options: ReplayRunOptions): Promise<ReplayRun> {
  const started = new StartedFleet();
  const interrupted = (): void => {
    void started.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const logDir = mkdtempSync(join(tmpdir(), 'fleet-replay-'));
  try {
    const { file: scenarioFile, modelMap } = writeScenario(options.scenarioFile, options.csvFiles, logDir);
    const { fleetName, producer, read } = await startLocalFleet(started, {
      namePrefix: 'replay',
      scenarioFile,
      logDir,
      env: { FLEET_CONFIG: resolve(options.policyFile) },
      workerLogLevel: 'warn',
      emulatorLogLevel: 'error',
    });

    const begin = Date.now();
    const prepared: PreparedJob[] = options.rows.map((row) =>
      producer.prepare({
        id: options.idOf(row),
        task: row.evalName.replace(/[^a-z0-9_.-]/gi, '-'),
        strategy: 'cascade',
        prompt: row.prompt,
        metadata: { sampleId: row.sampleId, file: basename(row.file) },
      }),
    );
    await producer.enqueuePrepared(prepared);
    const ids = prepared.map((job) => job.id);
    const results = await waitForResults(read, ids, {
      deadline: Date.now() + options.timeoutMs,
      intervalMs: 250,
      progress: (done) => options.progress(done.size, ids.length),
    });
    return { fleetName, results, modelMap, wallMs: Date.now() - begin, logDir };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await started.stop();
  }
}
