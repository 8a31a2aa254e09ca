/**
 * The demo: a whole fleet on this machine. Redis (REDIS_URL, or a private
 * redis-server), the emulator, one worker process per tier; enqueue the
 * sample jobs, show progress, print what each tier and model did, and clean
 * up everything it started.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Presets, SingleBar } from 'cli-progress';
import { Redis } from 'ioredis';
import { loadSettings } from '../src/config/load-settings.js';
import { formatRunSummary } from '../src/cli/format-run-summary.js';
import { readJobFile } from '../src/cli/read-job-file.js';
import { resolveRedis } from '../src/cli/resolve-redis.js';
import { spawnTierWorker } from '../src/cli/spawn-tier-worker.js';
import { JobSpecError } from '../src/core/job/job-spec-error.js';
import type { JobResult } from '../src/core/job/job-result.js';
import { summarizeRun, type RunSummary } from '../src/core/report/summarize-run.js';
import { spawnEmulatorProcess } from '../src/emulator/spawn-emulator-process.js';
import { pino } from 'pino';
import { createProducer } from '../src/queue/create-producer.js';
import { openProducerRouting } from '../src/queue/routing/open-producer-routing.js';
import { createFleetQueues } from '../src/queue/fleet-queues.js';
import { readJobResult } from '../src/queue/read-job-result.js';
import { StartedFleet } from '../src/cli/started-fleet.js';

export const DEMO_JOBS = fileURLToPath(new URL('../examples/documents/demo-jobs.jsonl', import.meta.url));
export const DEMO_SCENARIO = fileURLToPath(new URL('../examples/scenarios/demo.yaml', import.meta.url));

export interface DemoOptions {
  jobsFile?: string;
  scenarioFile?: string;
  /** Print the summary as JSON instead of a table. */
  json?: boolean;
  /** Give up waiting after this long. */
  timeoutMs?: number;
  print?: (text: string) => void;
}

export interface DemoOutcome {
  fleet: string;
  workers: { tier: string; pid: number }[];
  summary: RunSummary;
  refused: { line: number; error: string }[];
  logDir: string;
}


async function waitForAll(
  read: (id: string) => Promise<JobResult | undefined>,
  ids: string[],
  bar: SingleBar,
  deadline: number,
): Promise<JobResult[]> {
  const done = new Map<string, JobResult>();
  let pending = [...ids];
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.length} jobs were not done in time (first: ${pending[0]})`);
    const reads = await Promise.all(pending.map(read));
    pending = pending.filter((id, i) => {
      const result = reads[i];
      if (result === undefined || (result.state !== 'completed' && result.state !== 'failed')) return true;
      done.set(id, result);
      return false;
    });
    const finished = [...done.values()];
    bar.update(done.size, {
      escalated: finished.filter((r) => new Set(r.attempts.map((a) => a.tier)).size > 1).length,
      failed: finished.filter((r) => r.state === 'failed').length,
    });
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return ids.map((id) => done.get(id)).filter((r): r is JobResult => r !== undefined);
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoOutcome> {
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  const note = (text: string): void => {
    if (options.json !== true) process.stderr.write(`${text}\n`);
  };
  const started = new StartedFleet();
  const interrupted = (): void => {
    note('interrupted: cleaning up');
    void started.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const logDir = mkdtempSync(join(tmpdir(), 'fleet-demo-'));
  try {
    started.redis = await resolveRedis(process.env);
    note(started.redis.started ? `Redis: started a private redis-server at ${started.redis.url}` : `Redis: ${started.redis.url}`);
    const fleetName = `demo-${randomBytes(3).toString('hex')}`;
    const env = { ...process.env, REDIS_URL: started.redis.url, FLEET_NAME: fleetName };
    const settings = loadSettings({ env });

    started.emulator = await spawnEmulatorProcess({ scenarioFile: options.scenarioFile ?? DEMO_SCENARIO, env });
    note(`emulator: ${started.emulator.url}`);
    const workerEnv = { ...env, BEDROCK_ENDPOINT: started.emulator.url, LOG_LEVEL: 'info' };
    started.workers = await Promise.all(
      settings.fleet.tiers.map((tier) => spawnTierWorker({ tier: tier.name, env: workerEnv, logFile: join(logDir, `worker-${tier.name}.log`) })),
    );
    note(`workers: ${started.workers.map((w) => `${w.tier} (pid ${w.pid})`).join(', ')}; logs in ${logDir}`);

    started.connection = new Redis(started.redis.url, { maxRetriesPerRequest: null });
    started.fleetName = settings.fleet.name;
    const queues = (started.queues = createFleetQueues(settings.fleet, started.connection));
    const routing = (started.routing = await openProducerRouting({
      fleet: settings.fleet,
      fleetFile: settings.fleetFile,
      redis: started.connection,
      queues,
      logger: pino({ name: 'demo', level: 'warn' }, pino.destination(2)),
    }));
    const producer = createProducer({ fleet: settings.fleet, queues, redis: started.connection, ...routing.deps });
    const { jobs, unreadable } = await readJobFile(options.jobsFile ?? DEMO_JOBS);

    const begin = Date.now();
    const refused = [...unreadable];
    const ids: string[] = [];
    for (const { line, job } of jobs) {
      try {
        ids.push((await producer.enqueue(job)).id);
      } catch (error) {
        if (!(error instanceof JobSpecError)) throw error;
        refused.push({ line, error: error.message });
      }
    }
    note(`enqueued ${ids.length} jobs in ${Date.now() - begin} ms${refused.length > 0 ? `; refused ${refused.length}` : ''}`);
    for (const r of refused) note(`  line ${r.line}: ${r.error}`);

    const bar = new SingleBar(
      { format: 'jobs |{bar}| {value}/{total} · {escalated} escalated · {failed} failed · {duration}s', stream: process.stderr, hideCursor: true },
      Presets.shades_classic,
    );
    if (options.json !== true) bar.start(ids.length, 0, { escalated: 0, failed: 0 });
    const read = (id: string) => readJobResult({ fleetName: settings.fleet.name, queues, redis: started.connection! }, id);
    const results = await waitForAll(read, ids, bar, Date.now() + (options.timeoutMs ?? 300_000)).finally(() => bar.stop());
    const summary = summarizeRun(results, Date.now() - begin, {
      tiers: settings.fleet.tiers.map((t) => t.name),
      models: settings.fleet.tiers.flatMap((t) => t.models.map((m) => m.id)),
    });
    const workers = started.workers.map((w) => ({ tier: w.tier, pid: w.pid }));
    const outcome: DemoOutcome = { fleet: fleetName, workers, summary, refused, logDir };
    print(options.json === true ? JSON.stringify(outcome, null, 2) : formatRunSummary(summary));
    return outcome;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await started.stop();
  }
}
