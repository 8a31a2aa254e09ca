import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, it, expect } from 'vitest';
import { loadRouterBench, type RouterBenchLoad } from '../../src/emulator/replay/load-routerbench.js';

const ARC = fileURLToPath(
  new URL('../../../shared/data/routerbench-train/arc_challenge_train.csv', import.meta.url),
);
const GPT4 = 'gpt-4-1106-preview';

describe('loadRouterBench on arc_challenge_train.csv', () => {
  let load: RouterBenchLoad;
  let raw: Record<string, string>[];

  beforeAll(async () => {
    load = await loadRouterBench([ARC]);
    raw = parse<Record<string, string>>(await readFile(ARC, 'utf8'), { columns: true });
  }, 30_000);

  it('reads every CSV row and finds the 11 models', () => {
    expect(raw).toHaveLength(1039);
    expect(load.models).toHaveLength(11);
    expect(load.models).toContain(GPT4);
    expect(load.dataset.models().sort()).toEqual([...load.models].sort());
  });

  it('skips the 8 rows whose prompt list holds the prompt twice', () => {
    // These are ungraded duplicates of other rows (same sample_id), with doubled cost.
    expect(load.skipped).toHaveLength(8);
    for (const skip of load.skipped) {
      expect(skip).toMatchObject({ file: ARC, model: null, reason: 'prompt: list holds 2 strings, expected 1' });
    }
    expect(load.rows).toHaveLength(1031);
    expect(load.dataset.size).toBe(1031);
  });

  it('matches the README: GPT-4 correct on 95.3% of 1,031 graded rows, costing about $5.20', () => {
    const graded = load.rows.flatMap((row) => {
      const correct = row.answers[GPT4]?.correct;
      return correct === undefined ? [] : [correct];
    });
    expect(graded).toHaveLength(1031);
    const accuracy = (100 * graded.filter(Boolean).length) / graded.length;
    expect(Math.abs(accuracy - 95.3)).toBeLessThanOrEqual(0.1);

    const cost = load.rows.reduce((sum, row) => sum + (row.answers[GPT4]?.costUsd ?? 0), 0);
    expect(Math.abs(cost - 5.2)).toBeLessThanOrEqual(0.01);
    // The raw column, skipped rows included, sums to ~$5.27: the skipped rows double-count.
    const rawCost = raw.reduce((sum, row) => sum + Number(row[`${GPT4}|total_cost`]), 0);
    expect(rawCost).toBeCloseTo(5.2747, 3);
  });

  it('looks up the first row by prompt and returns each model its own parsed response', () => {
    const first = raw[0];
    const row = load.rows[0];
    expect(first?.sample_id).toBe('arc-challenge.test.1108');
    expect(row?.sampleId).toBe('arc-challenge.test.1108');
    if (!first || !row) throw new Error('no first row');
    expect(row.prompt.startsWith('George wants to warm his hands quickly')).toBe(true);
    expect(row.prompt.endsWith('without explanation.\nAnswer:')).toBe(true);

    expect(first[`${GPT4}|model_response`]).toBe("['D']");
    expect(load.dataset.lookup(row.prompt, GPT4)?.text).toBe('D');
    expect(first['meta/llama-2-70b-chat|model_response']).toBe("['D\\n']");
    expect(load.dataset.lookup(row.prompt, 'meta/llama-2-70b-chat')?.text).toBe('D\n');
    expect(first['mistralai/mistral-7b-chat|model_response']).toBe("['C\\n']");
    expect(load.dataset.lookup(row.prompt, 'mistralai/mistral-7b-chat')?.text).toBe('C\n');

    // Keys are normalised with promptKey: CRLF and surrounding blanks still match.
    const crlf = `  ${row.prompt.replace(/\n/g, '\r\n')}\n`;
    expect(load.dataset.lookup(crlf, GPT4)).toEqual(load.dataset.lookup(row.prompt, GPT4));
    expect(load.dataset.lookup(row.prompt, 'no-such-model')).toBeUndefined();
    expect(load.dataset.lookup('no such prompt', GPT4)).toBeUndefined();
  });

  it('gives every answer its row data and positive token usage', () => {
    let answers = 0;
    for (const row of load.rows) {
      for (const [model, answer] of Object.entries(row.answers)) {
        const replay = load.dataset.lookup(row.prompt, model);
        expect(replay).toBeDefined();
        expect(replay?.text).toBe(answer.text);
        expect(replay?.recordedCostUsd).toBe(answer.costUsd);
        expect(replay?.correct).toBe(answer.correct);
        expect(replay?.inputTokens).toBeGreaterThan(0);
        expect(replay?.outputTokens).toBeGreaterThan(0);
        answers += 1;
      }
    }
    expect(answers).toBe(1031 * 11);
  });

  it('reproduces the recorded GPT-4 cost from cl100k token counts at $0.01/$0.03 per 1K', () => {
    let recorded = 0;
    let computed = 0;
    for (const row of load.rows) {
      const answer = load.dataset.lookup(row.prompt, GPT4);
      if (!answer) continue;
      const cost = (answer.inputTokens * 0.01 + answer.outputTokens * 0.03) / 1000;
      // Measured: RouterBench priced each call from exactly these token counts.
      expect(cost).toBeCloseTo(answer.recordedCostUsd, 9);
      recorded += answer.recordedCostUsd;
      computed += cost;
    }
    expect(Math.abs(computed / recorded - 1)).toBeLessThan(0.05);
    expect(computed / recorded).toBeCloseTo(1, 6);
  });
});
