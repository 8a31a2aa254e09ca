/**
 * The demo as a benchmark: the whole fleet on this machine (Redis, the
 * emulator, one worker process per tier) on the sample jobs, repeated; and
 * optionally on K copies of them (fresh ids) for a longer, steadier run.
 * Wall time runs from the first enqueue to the last job done.
 *
 *   npm run bench:demo -- [--repeat 3] [--copies 1,10] [--out bench/results/demo-throughput.json]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_JOBS, runDemo } from '../workers/demo.js';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    copies: { type: 'string', default: '1,10' },
    out: { type: 'string', default: 'bench/results/demo-throughput.json' },
  },
});

function copiesFile(copies: number): string {
  if (copies === 1) return DEMO_JOBS;
  const lines = readFileSync(DEMO_JOBS, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const out: string[] = [];
  for (let c = 0; c < copies; c += 1) {
    for (const line of lines) {
      const job = JSON.parse(line) as { id: string };
      out.push(JSON.stringify({ ...job, id: `${job.id}-c${c}` }));
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), 'bench-demo-')), `jobs-x${copies}.jsonl`);
  writeFileSync(file, out.join('\n'));
  return file;
}

interface Run {
  copies: number;
  jobs: number;
  completed: number;
  escalated: number;
  wallMs: number;
  jobsPerSecond: number;
  /** From starting Redis/emulator/workers to having cleaned up. */
  commandMs: number;
  costUsd: number;
}

const runs: Run[] = [];
for (const copies of values.copies.split(',').map(Number)) {
  const jobsFile = copiesFile(copies);
  for (let i = 0; i < Number(values.repeat); i += 1) {
    const started = performance.now();
    const outcome = await runDemo({ json: true, jobsFile, print: () => undefined, timeoutMs: 600_000 });
    const { jobs, wallMs } = outcome.summary;
    const totals = outcome.summary.totals;
    runs.push({
      copies,
      jobs: jobs.total,
      completed: jobs.completed,
      escalated: jobs.escalated,
      wallMs,
      jobsPerSecond: Math.round(jobs.perSecond * 10) / 10,
      commandMs: Math.round(performance.now() - started),
      costUsd: totals.costUsd,
    });
    console.log(
      `${jobs.total} jobs (x${copies}): ${jobs.completed} completed, ${jobs.escalated} escalated, ` +
        `${(wallMs / 1000).toFixed(1)} s, ${jobs.perSecond.toFixed(1)} jobs/s; whole command ${(runs.at(-1)!.commandMs / 1000).toFixed(1)} s`,
    );
  }
}

writeFileSync(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, runs }, null, 2)}\n`,
);
console.log(`written to ${values.out}`);
