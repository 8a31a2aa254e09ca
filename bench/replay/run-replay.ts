/**
 * Replays RouterBench rows through a whole fleet on this machine: Redis
 * (REDIS_URL, or a private redis-server), the emulator answering with the
 * recorded answers, one worker process per tier of the policy's fleet file.
 * Every row becomes a cascade job; the results are read back by id.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { loadSettings } from '../../src/config/load-settings.js';
import { resolveRedis } from '../../src/cli/resolve-redis.js';
import { spawnTierWorker } from '../../src/cli/spawn-tier-worker.js';
import type { JobResult } from '../../src/core/job/job-result.js';
import { scenarioSchema } from '../../src/emulator/scenario-schema.js';
import type { RouterBenchRow } from '../../src/emulator/replay/load-routerbench.js';
import { spawnEmulatorProcess } from '../../src/emulator/spawn-emulator-process.js';
import { createProducer, type PreparedJob } from '../../src/queue/create-producer.js';
import { createFleetQueues } from '../../src/queue/fleet-queues.js';
import { readJobResult } from '../../src/queue/read-job-result.js';
import { openProducerRouting } from '../../src/queue/routing/open-producer-routing.js';
import { StartedFleet } from '../../src/cli/started-fleet.js';

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

async function waitForAll(read: (id: string) => Promise<JobResult | undefined>, ids: string[], options: ReplayRunOptions): Promise<Map<string, JobResult>> {
  const done = new Map<string, JobResult>();
  let pending = [...ids];
  const deadline = Date.now() + options.timeoutMs;
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.length} jobs were not done in ${options.timeoutMs} ms (first: ${pending[0]})`);
    const reads = await Promise.all(pending.map(read));
    pending = pending.filter((id, i) => {
      const result = reads[i];
      if (result === undefined || (result.state !== 'completed' && result.state !== 'failed')) return true;
      done.set(id, result);
      return false;
    });
    options.progress(done.size, ids.length);
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return done;
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
    started.redis = await resolveRedis(process.env);
    const fleetName = `replay-${randomBytes(3).toString('hex')}`;
    const env = { ...process.env, REDIS_URL: started.redis.url, FLEET_NAME: fleetName, FLEET_CONFIG: resolve(options.policyFile) };
    const settings = loadSettings({ env });
    started.emulator = await spawnEmulatorProcess({ scenarioFile, env: { ...env, LOG_LEVEL: 'error' } });
    const workerEnv = { ...env, BEDROCK_ENDPOINT: started.emulator.url, LOG_LEVEL: 'warn' };
    started.workers = await Promise.all(
      settings.fleet.tiers.map((tier) => spawnTierWorker({ tier: tier.name, env: workerEnv, logFile: join(logDir, `worker-${tier.name}.log`) })),
    );
    started.connection = new Redis(started.redis.url, { maxRetriesPerRequest: null });
    started.fleetName = settings.fleet.name;
    const queues = (started.queues = createFleetQueues(settings.fleet, started.connection));
    const routing = (started.routing = await openProducerRouting({
      fleet: settings.fleet,
      fleetFile: settings.fleetFile,
      redis: started.connection,
      queues,
      logger: pino({ name: 'bench-replay', level: 'warn' }, pino.destination(2)),
    }));
    const producer = createProducer({ fleet: settings.fleet, queues, redis: started.connection, ...routing.deps });

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
    const read = (id: string) => readJobResult({ fleetName: settings.fleet.name, queues, redis: started.connection! }, id);
    const results = await waitForAll(
      read,
      prepared.map((job) => job.id),
      options,
    );
    return { fleetName, results, modelMap, wallMs: Date.now() - begin, logDir: dirname(scenarioFile) };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await started.stop();
  }
}
