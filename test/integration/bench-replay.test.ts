import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { assignVariant, stickyKey } from '../../src/core/experiments/assign-variant.js';
import { extractAnswer } from '../../src/core/confidence/extract-answer.js';
import { loadRouterBench } from '../../src/emulator/replay/load-routerbench.js';

const DATA = fileURLToPath(new URL('../../../shared/data/routerbench-train/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIXTRAL = 'mistralai/mixtral-8x7b-chat';
const YI = 'zero-one-ai/Yi-34B-Chat';
const GPT4 = 'gpt-4-1106-preview';

/** The policy's share of Winogrande jobs sent straight to GPT-4: the variants of its one experiment. */
const POLICY = parseYaml(readFileSync(join(ROOT, 'examples/fleets/routerbench.yaml'), 'utf8')) as {
  experiments: [{ name: string; when: { task: string[] }; variants: { name: string; weight: number; set?: { tier: string } }[] }];
};
const [SHARE] = POLICY.experiments;

const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The header and the first `rows` records of a RouterBench file, as a file of their own. */
function head(file: string, rows: number): string {
  const records = parse(readFileSync(join(DATA, file), 'utf8'), { raw: true, to_line: rows + 1 }) as unknown as { raw: string }[];
  const path = join(dir, file);
  writeFileSync(path, records.map((r) => r.raw).join(''));
  return path;
}

interface ReplayJson {
  files: { file: string; rows: number; policy: { correct: number; costUsd: number; failed: number; escalated: number; calls: number }; baseline: { correct: number; costUsd: number } }[];
  overall: { rows: number; ratios: { accuracy: number; cost: number } };
}

describe('npm run bench:replay', () => {
  it('replays RouterBench rows through the fleet and scores the policy against always GPT-4, as worked out from the recorded answers', async () => {
    const files = [head('arc_challenge_train.csv', 40), head('winograde_train.csv', 30)];
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/replay-policy.ts', '--json', ...files], {
      cwd: ROOT,
      timeout: 120_000,
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    const report = JSON.parse(stdout) as ReplayJson;

    // The policy of examples/fleets/routerbench.yaml, row by row from the recorded answers: a Winogrande
    // job its experiment's hash sends to the top tier asks GPT-4 alone. Else mixtral votes first (no
    // letter: 2 of 2 is out of reach, so straight to GPT-4); Yi votes; both agree → Yi's answer stands;
    // else GPT-4's does, and costs too.
    const { rows: all } = await loadRouterBench(files);
    // The job ids bench:replay gives: the file's name and the row's place among all rows.
    const jobId = new Map(all.map((row, at) => [`${row.file}:${row.sampleId}`, `${basename(row.file, '.csv')}-${String(at)}`]));
    let direct = 0;
    for (const [i, file] of files.entries()) {
      const { rows } = await loadRouterBench([file]);
      let correct = 0;
      let cost = 0;
      let escalated = 0;
      let calls = 0;
      for (const row of rows) {
        const [m, y, g] = [row.answers[MIXTRAL], row.answers[YI], row.answers[GPT4]];
        if (m === undefined || y === undefined || g === undefined) throw new Error(`row ${row.sampleId} lacks an answer`);
        const id = jobId.get(`${row.file}:${row.sampleId}`) ?? '';
        const shared = SHARE.when.task.includes(row.evalName) ? assignVariant(SHARE.name, stickyKey('job', { tenant: 'default', id, metadata: {} }) ?? '', SHARE.variants) : undefined;
        if (shared?.set?.tier === 'top') {
          direct += 1;
          correct += g.correct === true ? 1 : 0;
          cost += g.costUsd;
          calls += 1;
          continue;
        }
        const letters = i === 0 ? 'ABCDE' : 'AB';
        const [a, b] = [extractAnswer(m.text, { kind: 'choice', letters }), extractAnswer(y.text, { kind: 'choice', letters })];
        const askedYi = a !== undefined;
        const agree = askedYi && a === b;
        correct += (agree ? y.correct : g.correct) === true ? 1 : 0;
        cost += m.costUsd + (askedYi ? y.costUsd : 0) + (agree ? 0 : g.costUsd);
        escalated += agree ? 0 : 1;
        calls += 1 + (askedYi ? 1 : 0) + (agree ? 0 : 1);
      }
      const scored = report.files[i];
      expect(scored?.rows).toBe(rows.length);
      expect(scored?.policy).toMatchObject({ correct, failed: 0, escalated, calls });
      expect(scored?.policy.costUsd).toBeCloseTo(cost, 10);
      expect(scored?.baseline.correct).toBe(rows.filter((r) => r.answers[GPT4]?.correct === true).length);
    }
    // Some of the 30 Winogrande jobs took the share, and the rest the cascade.
    expect(direct).toBeGreaterThan(0);
    expect(direct).toBeLessThan(30);
    expect(report.overall.rows).toBe(report.files.reduce((n, f) => n + f.rows, 0));
    expect(report.overall.ratios.cost).toBeGreaterThan(0);
    expect(report.overall.ratios.cost).toBeLessThan(1);
  });

  it('says how to call it when no file is given', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/replay-policy.ts'], { cwd: ROOT });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: npm run bench:replay/) as unknown });
  });
});
