import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { parsePythonStringList } from './parse-python-string-list.js';
import { promptKey, type ReplayAnswer, type ReplayDataset } from './replay-dataset.js';

export interface RouterBenchAnswer {
  text: string;
  correct: boolean | undefined;
  costUsd: number;
}

export interface RouterBenchRow {
  sampleId: string;
  evalName: string;
  prompt: string;
  /** The path the row was read from, as passed to loadRouterBench. */
  file: string;
  answers: Record<string /* model */, RouterBenchAnswer>;
}

export interface RouterBenchSkip {
  file: string;
  sampleId: string;
  /** null when the whole row was skipped. */
  model: string | null;
  reason: string;
}

export interface RouterBenchLoad {
  dataset: ReplayDataset;
  rows: RouterBenchRow[];
  models: string[];
  skipped: RouterBenchSkip[];
}

const RESPONSE_SUFFIX = '|model_response';
const COST_SUFFIX = '|total_cost';

type CsvRecord = Record<string, string | undefined>;

/** Token count with cl100k_base; special-token text such as `<|endoftext|>` counts as plain text. */
function tokens(text: string): number {
  return countTokens(text, { disallowedSpecial: new Set() });
}

/** The one string of a Python list literal cell, or a reason it is unusable. */
function singleString(cell: string | undefined): { value: string } | { reason: string } {
  if (cell === undefined || cell.trim() === '') return { reason: 'empty cell' };
  let items: string[];
  try {
    items = parsePythonStringList(cell);
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
  const [first] = items;
  if (items.length !== 1 || first === undefined) {
    return { reason: `list holds ${items.length} strings, expected 1` };
  }
  return { value: first };
}

/** 1.0 → true, 0.0 → false, empty → undefined; anything else is null (unusable). */
function parseCorrect(cell: string | undefined): boolean | undefined | null {
  if (cell === undefined || cell.trim() === '') return undefined;
  const n = Number(cell);
  return n === 1 ? true : n === 0 ? false : null;
}

function parseCost(cell: string | undefined): number | null {
  if (cell === undefined || cell.trim() === '') return null;
  const n = Number(cell);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

async function readCsv(file: string): Promise<{ header: string[]; records: CsvRecord[] }> {
  const text = await readFile(file, 'utf8');
  let header: string[] = [];
  const records = parse<CsvRecord>(text, {
    bom: true,
    columns: (names: string[]) => {
      header = names;
      return names;
    },
  });
  for (const required of ['sample_id', 'prompt', 'eval_name']) {
    if (!header.includes(required)) throw new Error(`${file}: no '${required}' column`);
  }
  return { header, records };
}

class RouterBenchDataset implements ReplayDataset {
  private readonly byPrompt = new Map<string, Map<string, ReplayAnswer>>();
  private readonly modelNames = new Set<string>();

  has(key: string): boolean {
    return this.byPrompt.has(key);
  }

  add(key: string, answers: Map<string, ReplayAnswer>): void {
    this.byPrompt.set(key, answers);
    for (const model of answers.keys()) this.modelNames.add(model);
  }

  lookup(prompt: string, model: string): ReplayAnswer | undefined {
    return this.byPrompt.get(promptKey(prompt))?.get(model);
  }

  models(): string[] {
    return [...this.modelNames];
  }

  get size(): number {
    return this.byPrompt.size;
  }
}

/**
 * Loads RouterBench CSV files into a replay dataset. Rows whose prompt is not a
 * one-string list, and prompts already seen, are skipped whole; answers with an
 * empty or unparsable response, cost or grade are skipped one by one. Every skip
 * is listed in `skipped`.
 */
export async function loadRouterBench(files: string[]): Promise<RouterBenchLoad> {
  const dataset = new RouterBenchDataset();
  const rows: RouterBenchRow[] = [];
  const skipped: RouterBenchSkip[] = [];
  const models = new Set<string>();

  for (const file of files) {
    const { header, records } = await readCsv(file);
    const fileModels = header.filter((name) => header.includes(name + RESPONSE_SUFFIX));
    for (const model of fileModels) models.add(model);

    records.forEach((record, index) => {
      const sampleId = record.sample_id || `#${index + 1}`;
      const skip = (model: string | null, reason: string): void => {
        skipped.push({ file, sampleId, model, reason });
      };
      const prompt = singleString(record.prompt);
      if ('reason' in prompt) return skip(null, `prompt: ${prompt.reason}`);
      const key = promptKey(prompt.value);
      if (dataset.has(key)) return skip(null, 'duplicate prompt (first occurrence kept)');

      const inputTokens = tokens(prompt.value);
      const answers: Record<string, RouterBenchAnswer> = {};
      const replay = new Map<string, ReplayAnswer>();
      for (const model of fileModels) {
        const response = singleString(record[model + RESPONSE_SUFFIX]);
        if ('reason' in response) {
          skip(model, `response: ${response.reason}`);
          continue;
        }
        const costUsd = parseCost(record[model + COST_SUFFIX]);
        if (costUsd === null) {
          skip(model, `total_cost: not a number: ${JSON.stringify(record[model + COST_SUFFIX])}`);
          continue;
        }
        const correct = parseCorrect(record[model]);
        if (correct === null) {
          skip(model, `grade: expected 1.0, 0.0 or empty: ${JSON.stringify(record[model])}`);
          continue;
        }
        const text = response.value;
        answers[model] = { text, correct, costUsd };
        replay.set(model, {
          text,
          inputTokens,
          outputTokens: tokens(text),
          recordedCostUsd: costUsd,
          correct,
        });
      }
      dataset.add(key, replay);
      rows.push({ sampleId, evalName: record.eval_name ?? '', prompt: prompt.value, file, answers });
    });
  }
  return { dataset, rows, models: [...models], skipped };
}
