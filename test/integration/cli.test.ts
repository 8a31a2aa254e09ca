import { removeFleetKeys } from '../../src/queue/remove-fleet-keys.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentIdFromFileName } from '../../src/cli/document-id.js';
import { DEFAULT_FLEET_FILE } from '../../src/config/load-settings.js';
import type { FleetUpInfo } from '../../workers/up.js';
import { REDIS_URL } from '../helpers/fleet-harness.js';
import { alive } from '../helpers/process-alive.js';
import { FLEET_BIN, runFleetCli, type CliRun } from '../helpers/run-fleet-cli.js';

const FLEET_NAME = `cli-test-${randomBytes(3).toString('hex')}`;
/** Variables of the caller's shell that would change where the commands go. */
const SCRUBBED = [
  'FLEET_API_URL',
  'FLEET_API_KEY',
  'FLEET_API_KEYS',
  'FLEET_API_KEYS_FILE',
  'FLEET_CONFIG',
  'BEDROCK_ENDPOINT',
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_BEARER_TOKEN_BEDROCK',
];

const running = new Set<ChildProcess>();
const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-test-'));
const docs = join(dir, 'docs');
let up: ChildProcess | undefined;
let metricsBase = 0;

/** The first of `count` consecutive free ports on 127.0.0.1. */
async function freePortRun(count: number): Promise<number> {
  const free = async (port: number): Promise<boolean> => {
    const probe = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) await new Promise((resolve) => probe.close(resolve));
    return ok;
  };
  for (let base = 20_000 + Math.floor(Math.random() * 20_000); base < 65_000; base += count) {
    let all = true;
    for (let port = base; port < base + count && all; port += 1) all = await free(port);
    if (all) return base;
  }
  throw new Error('no run of free ports');
}
let upExited: Promise<number | null> | undefined;
let upStderr = '';
let info: FleetUpInfo | undefined;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, REDIS_URL, FLEET_NAME, LOG_LEVEL: 'warn' };
  for (const name of SCRUBBED) delete base[name];
  return { ...base, ...extra };
}

/** Runs `fleet ARGS` to its end (killed after 40 s). */
function fleet(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runFleetCli(args, env(extra), { timeoutMs: 40_000, running });
}

function upInfo(): FleetUpInfo {
  if (info === undefined) throw new Error(`fleet up did not start: ${upStderr}`);
  return info;
}

const apiKey = (): string => upInfo().keys?.find((k) => k.tenant === 'local')?.key ?? '';


function childPids(): number[] {
  if (info === undefined) return [];
  return [info.api.pid, ...info.workers.map((w) => w.pid), ...(info.emulator === undefined ? [] : [info.emulator.pid])];
}

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

/** 20 documents: 10 .txt and 10 .md, some names with spaces and accents. */
const FILES = Array.from({ length: 20 }, (_, i) =>
  i % 2 === 0 ? `note-${i}.txt` : i === 1 ? 'Chapter One (draft).md' : i === 3 ? 'résumé 3.md' : `chapter-${i}.md`,
);
const EXPECTED_IDS = FILES.map((name) => documentIdFromFileName(name)).sort();

interface ResultLine {
  id: string;
  state: string;
  tenant: string;
  task: string;
  tags: Record<string, string>;
  answer?: { text: string };
}

beforeAll(async () => {
  mkdirSync(docs);
  for (const [i, name] of FILES.entries()) {
    writeFileSync(join(docs, name), `Document ${i}. Queues hold jobs; workers of each tier take them and call models.\n`);
  }
  writeFileSync(join(docs, 'ignored.json'), '{}');
  mkdirSync(join(docs, 'drafts'));
  writeFileSync(join(docs, 'drafts', 'skipped.txt'), 'In a subfolder: not read.');

  // FLEET_CONFIG as a relative path (the shipped default, so direct-mode commands without it see the same fleet).
  // Metrics on: the API on the first of four free ports, each tier's worker on the next ones.
  metricsBase = await freePortRun(4);
  up = spawn(process.execPath, [FLEET_BIN, 'up', '--port', '0', '--json', '--logs', join(dir, 'logs')], {
    env: env({ FLEET_CONFIG: relative(process.cwd(), DEFAULT_FLEET_FILE), FLEET_METRICS_PORT: String(metricsBase), FLEET_METRICS_HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = up;
  upExited = once(child, 'exit').then(([code]) => code as number | null);
  child.stderr?.on('data', (chunk: Buffer) => (upStderr += chunk.toString()));
  let stdout = '';
  const first = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve(stdout.slice(0, end));
    });
    void upExited?.then((code) => reject(new Error(`fleet up exited with ${code}: ${upStderr}`)));
    setTimeout(() => reject(new Error(`fleet up not ready in 45 s: ${upStderr}`)), 45_000);
  });
  info = JSON.parse(await first) as FleetUpInfo;
}, 60_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  if (up !== undefined && up.exitCode === null && up.signalCode === null) {
    up.kill('SIGTERM');
    const stopped = await Promise.race([upExited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
    if (stopped === 'timeout') up.kill('SIGKILL');
  }
  // Whatever fleet up left behind (it was killed, or it failed to stop them).
  for (const pid of childPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  const redis = new Redis(REDIS_URL);
  try {
    await removeFleetKeys(redis, FLEET_NAME);
  } finally {
    redis.disconnect();
  }
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fleet up', () => {
  it('prints the API URL, keys for tenant local and admin, the export line and the log folder', () => {
    const { url, keys, workers, bedrock } = upInfo();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(keys?.map((k) => k.tenant)).toEqual(['local', 'admin']);
    expect(workers.map((w) => w.tier)).toEqual(['small', 'medium', 'large']);
    expect(bedrock).toBe('emulator');
    expect(upStderr).toContain(`API: ${url}`);
    expect(upStderr).toContain(`export FLEET_API_URL=${url} FLEET_API_KEY=${apiKey()}`);
    expect(upStderr).toContain(`logs: ${join(dir, 'logs')}`);
  });

  it('serves metrics on FLEET_METRICS_PORT (the API, fleet-wide) and the ports after it (one worker each)', async () => {
    const { metrics } = upInfo();
    expect(metrics).toEqual({ api: metricsBase, workers: { small: metricsBase + 1, medium: metricsBase + 2, large: metricsBase + 3 } });
    expect(upStderr).toContain(`metrics (GET /metrics): API on port ${String(metricsBase)}, workers on ${String(metricsBase + 1)} (small)`);
    const api = await (await fetch(`http://127.0.0.1:${String(metricsBase)}/metrics`)).text();
    for (const tier of ['small', 'medium', 'large']) {
      expect(api).toMatch(new RegExp(`^fleet_queue_workers\\{fleet_queue="${tier}",otel_scope_name="converse-fleet"\\} 1$`, 'm'));
      const port = metrics?.workers[tier] ?? 0;
      const worker = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
      expect(worker).toContain(`fleet_tier="${tier}"`);
      expect(worker).toMatch(/^target_info\{service_name="fleet-worker"/m);
    }
  });

  it("the straight-to-Redis export line names FLEET_CONFIG as an absolute path when it is set", () => {
    expect(upStderr).toContain(`(straight to Redis instead: export REDIS_URL=${REDIS_URL} FLEET_NAME=${FLEET_NAME} FLEET_CONFIG=${DEFAULT_FLEET_FILE},`);
  });
});

describe('enqueue → status → results', () => {
  it('through the API: a folder of 20 files comes back as 20 completed results with the tag, ids from file names', async () => {
    const api = ['--api', upInfo().url];
    const key = { FLEET_API_KEY: apiKey() };
    const enqueued = await fleet(['enqueue', docs, '--task', 'summarization', '--tag', 'team=docs', ...api], key);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const batchId = enqueued.stdout.trim();
    expect(batchId).toMatch(/^b-[0-9a-f-]+$/);
    expect(enqueued.stderr).toContain(`enqueued 20 jobs in batch ${batchId}`);
    expect(enqueued.stderr).toContain('note: skipped 2 entries (subfolders, files not .txt/.md/.markdown): drafts/, ignored.json');

    const status = await fleet(['status', batchId, '--watch', '--json', '--interval', '0.5', '--timeout', '30', ...api], key);
    expect(status.code, status.stderr).toBe(0);
    const final = JSON.parse(lines(status.stdout).at(-1) ?? '{}') as { status: string; total: number; counts: Record<string, number>; byTier: Record<string, number> };
    expect(final).toMatchObject({ status: 'finished', total: 20, counts: { completed: 20, failed: 0, pending: 0 } });
    expect(Object.values(final.byTier).reduce((a, b) => a + b, 0)).toBe(20);

    const out = join(dir, 'out.jsonl');
    const results = await fleet(['results', batchId, '-o', out, ...api], key);
    expect(results.code, results.stderr).toBe(0);
    expect(results.stdout).toBe('');
    expect(results.stderr).toContain(`wrote 20 results of batch ${batchId} to ${out}`);
    const rows = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as ResultLine);
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row).toMatchObject({ state: 'completed', tenant: 'local', task: 'summarization', tags: { team: 'docs' } });
      expect(row.answer?.text).toBeTruthy();
    }
    expect(rows.map((r) => r.id).sort()).toEqual(EXPECTED_IDS);
    expect(rows.map((r) => r.id)).toContain('Chapter_One_draft_.md');
    expect(rows.map((r) => r.id)).toContain('resume_3.md');
  });

  it('straight to Redis (no --api): the same round trip, results on stdout', async () => {
    const enqueued = await fleet(['enqueue', docs, '--task', 'summarization', '--tag', 'team=docs', '--id-prefix', 'direct-', '--json']);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const receipt = JSON.parse(enqueued.stdout) as { batchId: string; accepted: number; refusedCount: number; duplicates: number };
    expect(receipt).toMatchObject({ accepted: 20, refusedCount: 0, duplicates: 0 });

    const status = await fleet(['status', receipt.batchId, '--watch', '--json', '--interval', '0.5', '--timeout', '30']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(lines(status.stdout).at(-1) ?? '{}')).toMatchObject({ status: 'finished', counts: { completed: 20, failed: 0 } });

    const results = await fleet(['results', receipt.batchId, '--order', 'finished']);
    expect(results.code, results.stderr).toBe(0);
    const rows = lines(results.stdout).map((l) => JSON.parse(l) as ResultLine);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.state === 'completed' && r.tags.team === 'docs' && r.tenant === 'default')).toBe(true);
    expect(rows.map((r) => r.id).sort()).toEqual(FILES.map((name) => documentIdFromFileName(name, 'direct-')).sort());
  });

  it("straight to Redis for another tenant (--tenant): the batch's fleet-wide id is printed and read back; results keep the ids given", async () => {
    const enqueued = await fleet(['enqueue', docs, '--task', 'summarization', '--tenant', 'acme', '--batch-id', 'acme-run', '--id-prefix', 'direct-', '--json']);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const receipt = JSON.parse(enqueued.stdout) as { batchId: string; accepted: number; duplicates: number };
    // The default tenant's run above used the same document ids: acme's are jobs of their own.
    expect(receipt).toMatchObject({ batchId: 'acme/acme-run', accepted: 20, duplicates: 0 });

    const status = await fleet(['status', receipt.batchId, '--watch', '--json', '--interval', '0.5', '--timeout', '30']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(lines(status.stdout).at(-1) ?? '{}')).toMatchObject({ id: 'acme/acme-run', status: 'finished', counts: { completed: 20, failed: 0 } });
    const rows = lines((await fleet(['results', receipt.batchId])).stdout).map((l) => JSON.parse(l) as ResultLine);
    expect(rows.every((r) => r.state === 'completed' && r.tenant === 'acme')).toBe(true);
    expect(rows.map((r) => r.id).sort()).toEqual(FILES.map((name) => documentIdFromFileName(name, 'direct-')).sort());
  });

  it('enqueues what it can with a warning (exit 0), and nothing with --all-or-nothing (exit 1)', async () => {
    const jsonl = join(dir, 'mixed.jsonl');
    writeFileSync(jsonl, ['"first document"', '{not json', '{"document": "second", "tier": "huge"}', '{"document": "third"}'].join('\n'));
    const partial = await fleet(['enqueue', jsonl, '--task', 'classification']);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stderr).toContain('refused 2 of 4 documents:');
    expect(partial.stderr).toContain('line 2: (document): not valid JSON');
    expect(partial.stderr).toContain('line 3: tier: no tier is named "huge"');
    expect(partial.stderr).toMatch(/fleet: warning: 2 documents refused; 2 enqueued in batch b-/);

    const refused = await fleet(['enqueue', jsonl, '--all-or-nothing', '--api', upInfo().url], { FLEET_API_KEY: apiKey() });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('fleet: nothing enqueued: 2 of 4 documents refused and --all-or-nothing is set');

    const status = await fleet(['status', partial.stdout.trim(), '--watch', '--json', '--interval', '0.5', '--timeout', '30']);
    expect(status.code, status.stderr).toBe(0);
  });

  it('counts only jobs new to the fleet into the batch; exits 1 when none is new (JSONL ids, a byte-order mark)', async () => {
    const jsonl = join(dir, 'dup.jsonl');
    const job = (n: number): string => JSON.stringify({ id: `${FLEET_NAME}-dup-${n}`, prompt: `Say ${n}.` });
    // A byte-order mark, as some editors write: invisible, and no reason to refuse the first line.
    writeFileSync(jsonl, `\uFEFF${job(1)}\n${job(2)}\n`);
    const first = await fleet(['enqueue', jsonl]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain('refused');
    expect(first.stderr).toContain('enqueued 2 jobs in batch');

    const again = await fleet(['enqueue', jsonl]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(lines(again.stderr)).toHaveLength(1);
    expect(again.stderr).toMatch(/^fleet: nothing new enqueued: all 2 job ids exist already in the fleet .*so batch b-\S+ holds no jobs/);
    expect(again.stderr).toContain(`give them new "id"s in ${jsonl}`);
    expect(again.stderr).not.toContain('--id-prefix');
    expect(again.stderr).not.toMatch(/enqueued 2 jobs/);

    writeFileSync(jsonl, `${job(1)}\n${job(2)}\n${job(3)}\n`);
    const mixed = await fleet(['enqueue', jsonl]);
    expect(mixed.code, mixed.stderr).toBe(0);
    const batchId = mixed.stdout.trim();
    expect(mixed.stderr).toContain(`note: 2 job ids exist already in the fleet and were not enqueued again; they are not part of batch ${batchId}`);
    expect(mixed.stderr).toContain(`enqueued 1 jobs in batch ${batchId}`);
    const status = await fleet(['status', batchId, '--watch', '--json', '--interval', '0.5', '--timeout', '30']);
    expect(JSON.parse(lines(status.stdout).at(-1) ?? '{}')).toMatchObject({ total: 1 });
  });

  it('a batch id enqueued again reports the batch as it stands, without a refusal report of documents it did not read', async () => {
    const jsonl = join(dir, 'again.jsonl');
    writeFileSync(jsonl, ['{"document": "bad", "tier": "huge"}', '"a fine document"'].join('\n'));
    const batchId = `${FLEET_NAME}-again`;
    const first = await fleet(['enqueue', jsonl, '--task', 'classification', '--batch-id', batchId]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('refused 1 of 2 documents:');

    const again = await fleet(['enqueue', jsonl, '--task', 'classification', '--batch-id', batchId]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(batchId);
    expect(again.stderr).not.toMatch(/refused 1 of 0|first 0/);
    expect(lines(again.stderr)).toEqual([`batch ${batchId} existed already (1 jobs, 1 documents refused when it was enqueued); nothing was enqueued again`]);
  });
});

describe('errors: one line that says what to do, and an exit code', () => {
  const oneLine = (run: CliRun): string => {
    expect(lines(run.stderr)).toHaveLength(1);
    return run.stderr.trim();
  };

  it('bad usage exits 2: an unknown flag, a missing file, a missing argument', async () => {
    const [unknown, missing, noArgument, badTag] = await Promise.all([
      fleet(['enqueue', docs, '--bogus']),
      fleet(['enqueue', join(dir, 'no-such-folder')]),
      fleet(['status']),
      fleet(['enqueue', docs, '--tag', 'nokey']),
    ]);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown)).toBe(`fleet: unknown option '--bogus' (see "fleet enqueue --help")`);
    expect(missing.code).toBe(2);
    expect(oneLine(missing)).toBe(
      `fleet: cannot read "${join(dir, 'no-such-folder')}": no such file or directory; pass a JSONL file, a folder of .txt/.md files, or - for stdin`,
    );
    expect(noArgument.code).toBe(2);
    expect(oneLine(noArgument)).toMatch(/^fleet: missing required argument 'batch'/);
    expect(badTag.code).toBe(2);
    expect(oneLine(badTag)).toMatch(/expected key=value, got "nokey"/);
  });

  it('fleet up with a scenario or log folder it cannot use exits 2 at once, before starting anything', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'a file');
    const [scenario, logs] = await Promise.all([
      fleet(['up', '--port', '0', '--scenario', join(dir, 'nope.yaml')]),
      fleet(['up', '--port', '0', '--logs', file]),
    ]);
    expect(scenario.code).toBe(2);
    expect(oneLine(scenario)).toMatch(new RegExp(`^fleet: cannot read the scenario "${join(dir, 'nope.yaml')}": no such file;`));
    expect(logs.code).toBe(2);
    expect(oneLine(logs)).toBe(`fleet: --logs "${file}" is a file, not a folder; name a folder (it is made when missing)`);
  });

  it('a worker whose Redis does not answer exits 1 with one line, instead of printing stack traces forever', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const worker = await fleet(['worker', '--tier', 'small'], { REDIS_URL: url });
    expect(worker.code).toBe(1);
    expect(oneLine(worker)).toBe(`fleet: cannot reach Redis at ${url}: connection refused; start Redis (or "fleet up"), or set REDIS_URL to one that runs`);
  });

  it('a worker for real Bedrock that finds no AWS credentials anywhere exits 1 with one line, instead of taking jobs that can only fail', async () => {
    const none = {
      BEDROCK_ENDPOINT: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_BEARER_TOKEN_BEDROCK: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    };
    const worker = await fleet(['worker', '--tier', 'small'], none);
    expect(worker.code).toBe(1);
    expect(lines(worker.stderr).filter((line) => line.startsWith('fleet:'))).toEqual([
      'fleet: no usable AWS credentials for Bedrock (Could not load credentials from any providers); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK, give the instance, task or pod a role, or set BEDROCK_ENDPOINT for the emulator',
    ]);
  });

  it('an unreachable API exits 1 and says how to start it; a wrong key exits 2; an unknown batch exits 4', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const key = { FLEET_API_KEY: 'local-0123456789abcdef' };
    const [enqueue, status, wrongKey, unknownBatch] = await Promise.all([
      fleet(['enqueue', docs, '--api', url], key),
      fleet(['status', 'b-1'], { ...key, FLEET_API_URL: url }),
      fleet(['status', 'b-1', '--api', upInfo().url], key),
      fleet(['results', 'no-such-batch', '--api', upInfo().url], { FLEET_API_KEY: apiKey() }),
    ]);
    for (const run of [enqueue, status]) {
      expect(run.code).toBe(1);
      expect(oneLine(run)).toBe(`fleet: cannot reach the API at ${url}: connection refused; start it with "fleet up" or set FLEET_API_URL`);
    }
    expect(wrongKey.code).toBe(2);
    expect(oneLine(wrongKey)).toMatch(/refused the key \(401 unauthorized.*\); set FLEET_API_KEY/);
    expect(unknownBatch.code).toBe(4);
    expect(oneLine(unknownBatch)).toMatch(/^fleet: no batch "no-such-batch" at http/);
  });
});

describe('fleet up, stopping', () => {
  it('stops every process it started on SIGTERM and exits 0', async () => {
    const pids = childPids();
    expect(pids.every(alive)).toBe(true);
    up?.kill('SIGTERM');
    expect(await upExited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(upStderr).toContain('SIGTERM: stopping everything');
  }, 30_000);
});
