/**
 * The demo: a whole fleet on this machine. Redis (REDIS_URL, or a private
 * redis-server), the emulator, one worker process per tier; enqueue the
 * sample jobs, show progress, print what each tier and model did, and clean
 * up everything it started.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Presets, SingleBar } from 'cli-progress';
import { checkScenarioFile } from '../src/cli/check-scenario-file.js';
import { formatRunSummary } from '../src/cli/format-run-summary.js';
import { readJobFile } from '../src/cli/read-job-file.js';
import { JobSpecError } from '../src/core/job/job-spec-error.js';
import type { JobResult } from '../src/core/job/job-result.js';
import { summarizeRun, type RunSummary } from '../src/core/report/summarize-run.js';
import { startLocalFleet } from '../src/cli/start-local-fleet.js';
import { StartedFleet } from '../src/cli/started-fleet.js';
import { waitForResults } from '../src/cli/wait-for-results.js';

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
  /** Lines whose job id an earlier line had: the same job (one id, one job), run and counted once. */
  repeated: { line: number; id: string }[];
  logDir: string;
}


export async function runDemo(options: DemoOptions = {}): Promise<DemoOutcome> {
  // The inputs first: a file that cannot be read, or a bad scenario, is bad usage (exit 2), said before anything starts.
  const scenarioFile = options.scenarioFile ?? DEMO_SCENARIO;
  const { jobs, unreadable } = await readJobFile(options.jobsFile ?? DEMO_JOBS);
  await checkScenarioFile(scenarioFile);

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
    const { fleetName, settings, producer, read } = await startLocalFleet(started, {
      namePrefix: 'demo',
      scenarioFile,
      logDir,
      workerLogLevel: 'info',
      note,
    });

    const begin = Date.now();
    const refused = [...unreadable];
    // One id is one job: a line repeating an earlier line's id is that job again, not another (the fleet enqueues it once).
    const ids: string[] = [];
    const seen = new Set<string>();
    const repeated: { line: number; id: string }[] = [];
    for (const { line, job } of jobs) {
      try {
        const { id } = await producer.enqueue(job);
        if (seen.has(id)) {
          repeated.push({ line, id });
          continue;
        }
        seen.add(id);
        ids.push(id);
      } catch (error) {
        if (!(error instanceof JobSpecError)) throw error;
        refused.push({ line, error: error.message });
      }
    }
    note(`enqueued ${ids.length} jobs in ${Date.now() - begin} ms${refused.length > 0 ? `; refused ${refused.length}` : ''}`);
    for (const r of refused) note(`  line ${r.line}: ${r.error}`);
    if (repeated.length > 0) {
      const lines = repeated.slice(0, 5).map((r) => `${r.line} (${r.id})`).join(', ');
      const more = repeated.length > 5 ? ` and ${repeated.length - 5} more` : '';
      note(
        `note: ${repeated.length} ${repeated.length === 1 ? 'line repeats' : 'lines repeat'} the id of an earlier line, so ` +
          `${repeated.length === 1 ? 'it is' : 'they are'} the same job, run and counted once: line ${lines}${more}`,
      );
    }

    const bar = new SingleBar(
      { format: 'jobs |{bar}| {value}/{total} · {escalated} escalated · {failed} failed · {duration}s', stream: process.stderr, hideCursor: true },
      Presets.shades_classic,
    );
    if (options.json !== true) bar.start(ids.length, 0, { escalated: 0, failed: 0 });
    const done = await waitForResults(read, ids, {
      deadline: Date.now() + (options.timeoutMs ?? 300_000),
      intervalMs: 200,
      progress: (finished) => {
        const all = [...finished.values()];
        bar.update(finished.size, {
          escalated: all.filter((r) => new Set(r.attempts.map((a) => a.tier)).size > 1).length,
          failed: all.filter((r) => r.state === 'failed').length,
        });
      },
    }).finally(() => bar.stop());
    const results = ids.map((id) => done.get(id)).filter((r): r is JobResult => r !== undefined);
    const summary = summarizeRun(results, Date.now() - begin, {
      tiers: settings.fleet.tiers.map((t) => t.name),
      models: settings.fleet.tiers.flatMap((t) => t.models.map((m) => m.id)),
    });
    const workers = started.workers.map((w) => ({ tier: w.tier, pid: w.pid }));
    const outcome: DemoOutcome = { fleet: fleetName, workers, summary, refused, repeated, logDir };
    print(options.json === true ? JSON.stringify(outcome, null, 2) : formatRunSummary(summary));
    return outcome;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await started.stop();
  }
}
