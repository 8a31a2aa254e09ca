import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveRedis, RedisUnavailableError } from '../../src/cli/resolve-redis.js';
import { REDIS_URL } from '../helpers/fleet-harness.js';
import { alive } from '../helpers/process-alive.js';
import { runFleetCli, type CliRun } from '../helpers/run-fleet-cli.js';

const DEMO_JOBS = fileURLToPath(new URL('../../examples/documents/demo-jobs.jsonl', import.meta.url));
const CLOSED_PORT_URL = 'redis://127.0.0.1:1';

function runFleet(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return runFleetCli(args, { ...process.env, ...env });
}

/** Folders the tests wrote files to, removed at the end. */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
  dirs.push(dir);
  return dir;
};

function sampleJobs(count: number): string {
  const lines = readFileSync(DEMO_JOBS, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const file = join(tempDir(), 'jobs.jsonl');
  writeFileSync(file, lines.slice(0, count).join('\n'));
  return file;
}


interface DemoJson {
  fleet: string;
  workers: { tier: string; pid: number }[];
  summary: { jobs: { total: number; completed: number; failed: number }; rows: { tier: string; calls: number }[] };
}

describe('fleet demo', () => {
  it('runs sample jobs through every tier, prints a JSON summary, exits 0 and leaves nothing behind', async () => {
    const run = await runFleet(['demo', '--json', '--jobs', sampleJobs(40)], { REDIS_URL });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as DemoJson;
    expect(out.summary.jobs).toMatchObject({ total: 40, completed: 40, failed: 0 });
    expect(new Set(out.summary.rows.map((r) => r.tier))).toEqual(new Set(['small', 'medium', 'large']));
    expect(out.workers.map((w) => w.tier)).toEqual(['small', 'medium', 'large']);
    for (const worker of out.workers) expect(alive(worker.pid)).toBe(false);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`{${out.fleet}}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);

  it('counts a job id repeated on several lines once, and says so (a byte-order mark is no reason to refuse line 1)', async () => {
    const file = join(tempDir(), 'same.jsonl');
    const line = JSON.stringify({ id: 'same-1', task: 'classification', document: 'Is this a question?' });
    writeFileSync(file, `\uFEFF${line}\n${line}\n${line}\n`);
    const run = await runFleet(['demo', '--jobs', file], { REDIS_URL });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/jobs: 1 total, 1 completed, 0 failed/);
    expect(run.stderr).toContain('note: 2 lines repeat the id of an earlier line, so they are the same job, run and counted once: line 2 (same-1), 3 (same-1)');
    expect(run.stderr).not.toContain('refused');
  }, 120_000);

  it('bad usage exits 2 at once, before starting Redis, the emulator or workers', async () => {
    const dir = tempDir();
    const [jobs, scenario] = await Promise.all([
      runFleet(['demo', '--jobs', join(dir, 'nope.jsonl')], { REDIS_URL }),
      runFleet(['demo', '--scenario', join(dir, 'nope.yaml')], { REDIS_URL }),
    ]);
    expect(jobs.code).toBe(2);
    expect(jobs.stderr.trim()).toBe(`fleet: cannot read the jobs file "${join(dir, 'nope.jsonl')}": no such file; pass a JSONL file, one job per line`);
    expect(scenario.code).toBe(2);
    expect(scenario.stderr.trim()).toMatch(new RegExp(`^fleet: cannot read the scenario "${join(dir, 'nope.yaml')}": no such file;`));
    for (const run of [jobs, scenario]) expect(run.stderr).not.toMatch(/Redis:|emulator:|workers:/);
  });

  it('starts a private redis-server when REDIS_URL does not answer', async () => {
    const run = await runFleet(['demo', '--jobs', sampleJobs(10)], { REDIS_URL: CLOSED_PORT_URL });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/started a private redis-server at redis:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(/small/);
  }, 120_000);
});

describe('resolveRedis', () => {
  it('uses REDIS_URL when it answers', async () => {
    const redis = await resolveRedis({ ...process.env, REDIS_URL });
    expect(redis).toMatchObject({ url: REDIS_URL, started: false });
  });

  it('says how to get Redis when none answers and redis-server is not installed', async () => {
    const attempt = resolveRedis({ REDIS_URL: CLOSED_PORT_URL, PATH: '/nonexistent' });
    await expect(attempt).rejects.toThrow(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(/redis-server is not installed.*apt-get install redis-server.*REDIS_URL/);
  });
});
