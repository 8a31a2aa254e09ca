/**
 * Helpers for bench/analysis/policy-search.ts: answer extraction, the
 * agreement-cascade policy family, and the per-fold sums its statistics need.
 */
import type { RouterBenchRow } from '../../src/emulator/replay/load-routerbench.js';

export const TOP = 'gpt-4-1106-preview';

/** Option letter → option text, from the last question of a few-shot prompt ("A) west"). */
export function parseOptions(prompt: string): Map<string, string> {
  const question = prompt.slice(prompt.lastIndexOf('\n\n') + 2);
  return new Map([...question.matchAll(/^([A-Z])\) ?(.*)$/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').trim()]));
}

/** Lower case, no leading article, punctuation folded to single spaces. */
const normalize = (text: string): string =>
  text.toLowerCase().replace(/^\s*(a|an|the)\s+/, '').replace(/[^a-z0-9]+/g, ' ').trim();

export type ExtractRule = 'letter' | 'stated' | 'text' | 'none';

/**
 * The option letter a free-text answer chooses, or null when it names none (a
 * refusal, an out-of-range letter, an ambiguous fragment), and the rule that decided:
 *  - letter: a leading letter standing alone: "C", "(B)", "D)", "A.", "D (because ...";
 *  - stated: "The answer is (B).", "Answer: A", "option C", or a single
 *    bracketed letter anywhere: "I think (B)", "... so B) east";
 *  - text: the option's own text, exactly, or either way a whole-word prefix
 *    (responses are often cut short): "Rober" → "B) Robert", "A first" →
 *    "A) first-aid kit", "13" → "B) 13" (not "C) 1").
 */
export function extract(text: string, options: Map<string, string>): { letter: string | null; rule: ExtractRule } {
  const t = text.trim();
  const valid = (letter: string | undefined): string | null =>
    letter !== undefined && options.has(letter) ? letter : null;
  const leading = /^\(?([A-Z])(?:$|[).:,\n]|\s+\()/.exec(t);
  if (leading) return { letter: valid(leading[1]), rule: 'letter' };
  const stated = /\b(?:[Aa]nswer|[Oo]ption|[Cc]hoice)(?:\s+(?:is|would be))?\s*:?\s*\(?([A-Z])(?![\w'-])/.exec(t);
  const bracketed = new Set([...t.matchAll(/(?:\(|\b)([A-Z])\)/g)].map((m) => m[1]));
  if (stated || bracketed.size === 1) return { letter: valid(stated?.[1] ?? [...bracketed][0]), rule: 'stated' };
  const said = normalize(t);
  if (said.length < 2) return { letter: null, rule: 'none' };
  const texts = [...options].map(([letter, option]) => [letter, normalize(option)] as const);
  const exact = texts.filter(([, o]) => o === said);
  const prefix = texts.filter(([, o]) => o.length > 0 && (o.startsWith(said) || said.startsWith(`${o} `)));
  const hits = exact.length > 0 ? exact : prefix;
  const letter = hits.length === 1 ? (hits[0]?.[0] ?? null) : null;
  return { letter, rule: letter === null ? 'none' : 'text' };
}

export const extractAnswer = (text: string, options: Map<string, string>): string | null => extract(text, options).letter;

/** One prompt, ready to replay: each model's extracted option (index, -1 = none) and cost. */
export interface Item {
  task: number;
  /** Index of the correct option (majority letter of the graded-correct answers), -1 when unknown. */
  gold: number;
  letters: Int8Array;
  costs: Float64Array;
  graded: (boolean | undefined)[];
  topCorrect: number;
  topCost: number;
}

/** Extracts every model's answer on each row; rows without a GPT-4 answer are dropped. */
export function prepare(rows: RouterBenchRow[], models: string[], taskOf: (row: RouterBenchRow) => number): Item[] {
  const items: Item[] = [];
  for (const row of rows) {
    const top = row.answers[TOP];
    if (top?.correct === undefined) continue;
    const options = parseOptions(row.prompt);
    const letters = [...options.keys()];
    const item: Item = {
      task: taskOf(row), gold: -1, letters: new Int8Array(models.length).fill(-1),
      costs: new Float64Array(models.length), graded: [], topCorrect: top.correct ? 1 : 0, topCost: top.costUsd,
    };
    const votes = new Array<number>(letters.length).fill(0);
    models.forEach((model, i) => {
      const answer = row.answers[model];
      item.graded.push(answer?.correct);
      if (!answer) return;
      const letter = extractAnswer(answer.text, options);
      item.letters[i] = letter === null ? -1 : letters.indexOf(letter);
      item.costs[i] = answer.costUsd;
      if (answer.correct && letter !== null) votes[letters.indexOf(letter)]! += 1;
    });
    const best = Math.max(...votes);
    if (best > 0) item.gold = votes.indexOf(best);
    items.push(item);
  }
  return items;
}

/**
 * Agreement cascade: call `voters` one by one, accept the first answer that
 * reaches `need` votes, stop as soon as no answer can, and then escalate to
 * GPT-4, whose answer is final. need > voters/2, so the accepted answer is the
 * same as a parallel call of all voters would give; only the cost differs.
 */
export interface Policy {
  voters: number[];
  need: number;
}

const counts = new Int32Array(26);

/** Replays one policy on one item; `parallel` calls every voter up front. */
export function runPolicy(policy: Policy, item: Item, parallel = false): { correct: number; cost: number; escalated: number } {
  counts.fill(0);
  const { voters, need } = policy;
  let cost = 0;
  let leader = 0;
  for (let j = 0; j < voters.length; j += 1) {
    const v = voters[j] ?? 0;
    cost += item.costs[v] ?? 0;
    const letter = item.letters[v] ?? -1;
    if (letter >= 0) {
      const c = (counts[letter] ?? 0) + 1;
      counts[letter] = c;
      leader = Math.max(leader, c);
      if (c >= need) {
        if (parallel) for (let k = j + 1; k < voters.length; k += 1) cost += item.costs[voters[k] ?? 0] ?? 0;
        return { correct: letter === item.gold ? 1 : 0, cost, escalated: 0 };
      }
    }
    if (!parallel && leader + (voters.length - j - 1) < need) break;
  }
  if (parallel) cost = voters.reduce((sum, v) => sum + (item.costs[v] ?? 0), 0);
  return { correct: item.topCorrect, cost: cost + item.topCost, escalated: 1 };
}

/** Every voter order of up to `maxVoters` models from `pool`, with every strict-majority threshold. */
export function enumeratePolicies(pool: number[], maxVoters: number): Policy[] {
  const out: Policy[] = [];
  const grow = (prefix: number[]): void => {
    if (prefix.length > 0) {
      for (let need = Math.floor(prefix.length / 2) + 1; need <= prefix.length; need += 1) out.push({ voters: prefix, need });
    }
    if (prefix.length === maxVoters) return;
    for (const m of pool) if (!prefix.includes(m)) grow([...prefix, m]);
  };
  grow([]);
  return out;
}

/** Sums over rows, enough for the ratios and their paired t statistics. */
export const FIELDS = ['n', 'ok', 'okTop', 'top', 'cost', 'cost2', 'costTop', 'topCost', 'topCost2', 'esc'] as const;
export const K = FIELDS.length;

export function addRow(s: Float64Array, at: number, item: Item, o: { correct: number; cost: number; escalated: number }): void {
  s[at]! += 1;
  s[at + 1]! += o.correct;
  s[at + 2]! += o.correct * item.topCorrect;
  s[at + 3]! += item.topCorrect;
  s[at + 4]! += o.cost;
  s[at + 5]! += o.cost * o.cost;
  s[at + 6]! += o.cost * item.topCost;
  s[at + 7]! += item.topCost;
  s[at + 8]! += item.topCost * item.topCost;
  s[at + 9]! += o.escalated;
}

export interface Targets {
  acc: number;
  cost: number;
}

export interface Stats {
  n: number;
  accRatio: number;
  costRatio: number;
  escalated: number;
  /** t statistic of mean(correct − acc·topCorrect) > 0: accuracy target met. */
  tAcc: number;
  /** t statistic of mean(cost·topCost − cost) > 0: cost target met. */
  tCost: number;
  score: number;
}

/** Ratios to always-GPT-4 and how many standard errors each sits inside its target. */
export function stats(s: Float64Array, t: Targets): Stats {
  const [n = 0, ok = 0, okTop = 0, top = 0, cost = 0, cost2 = 0, costTop = 0, topCost = 0, topCost2 = 0, esc = 0] = s;
  const tStat = (sum: number, sumSq: number): number => {
    const mean = sum / n;
    const sd = Math.sqrt(Math.max(sumSq / n - mean * mean, 1e-18));
    return mean / (sd / Math.sqrt(n));
  };
  const tAcc = tStat(ok - t.acc * top, ok - 2 * t.acc * okTop + t.acc * t.acc * top);
  const tCost = tStat(t.cost * topCost - cost, t.cost * t.cost * topCost2 - 2 * t.cost * costTop + cost2);
  return { n, accRatio: ok / top, costRatio: cost / topCost, escalated: esc / n, tAcc, tCost, score: Math.min(tAcc, tCost) };
}

/** Deterministic PRNG (mulberry32) for fold assignment. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fold of each item, shuffled within each task so every fold keeps the task mix. */
export function assignFolds(items: Item[], folds: number, rand: () => number): Int8Array {
  const out = new Int8Array(items.length);
  const tasks = new Set(items.map((item) => item.task));
  for (const task of tasks) {
    const idx = items.flatMap((item, i) => (item.task === task ? [i] : []));
    for (let i = idx.length - 1; i > 0; i -= 1) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j] ?? 0, idx[i] ?? 0];
    }
    idx.forEach((itemIndex, rank) => (out[itemIndex] = rank % folds));
  }
  return out;
}
