/**
 * Learned vote-pattern policies on the RouterBench training rows: call a fixed
 * set of 2–4 cheap voters, map the agreement pattern (optionally with the task
 * and the plurality letter's position) to the Beta(1,1)-smoothed accuracy of
 * the plurality answer, and escalate to GPT-4 the patterns whose accuracy is
 * below GPT-4's on the same rows minus a margin; the margin is the largest one
 * that still meets the accuracy target (plus --safety) on the training rows.
 * Unseen patterns escalate. Findings: bench/analysis/POLICIES.md.
 *
 *   npx tsx bench/analysis/pattern-policy.ts [--data DIR] [--folds 5] [--repeats 5] [--seed 1] [--safety 0] [--show 5]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRouterBench } from '../../src/emulator/replay/load-routerbench.js';
import { addRow, assignFolds, K, prepare, random, stats, TOP, type Item, type Stats, type Targets } from './policy-lib.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/work/shared/data/routerbench-train' },
    folds: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    safety: { type: 'string', default: '0' },
    show: { type: 'string', default: '5' },
  },
});
const [F, R, SEED, SAFETY, SHOW] = [values.folds, values.repeats, values.seed, values.safety, values.show].map(Number) as
  [number, number, number, number, number];
const TASKS = ['arc_challenge_train.csv', 'winograde_train.csv'];
const load = await loadRouterBench(TASKS.map((file) => join(values.data, file)));
const { models } = load;
const items = prepare(load.rows, models, (row) => TASKS.findIndex((file) => row.file.endsWith(file)));
const short = (m: string): string =>
  (m.split('/').pop() ?? m).replace(/-1106(-preview)?|-chat|-instruct|-V1\.2/gi, '').replace(/^Yi/, 'yi');
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
/** Options per task (upper bound), for enumerating the completions of a partial vote. */
const nOpt = [0, 1].map((t) => Math.max(...items.filter((it) => it.task === t).flatMap((it) => [...it.letters])) + 1);

// ---- voter sets and features -------------------------------------------------
const relCost = (i: number): number => Math.max(...[0, 1].map((t) => {
  const rows = items.filter((item) => item.task === t);
  return rows.reduce((s, item) => s + (item.costs[i] ?? 0), 0) / rows.reduce((s, item) => s + item.topCost, 0);
}));
const pool = models.flatMap((m, i) => (m !== TOP && relCost(i) <= 0.2 ? [i] : [])).sort((a, b) => relCost(a) - relCost(b));
const sets: number[][] = [];
const grow = (prefix: number[], from: number): void => {
  if (prefix.length >= 2) sets.push(prefix);
  if (prefix.length < 4) for (let j = from; j < pool.length; j += 1) grow([...prefix, pool[j] ?? 0], j + 1);
};
grow([], 0);
const FEATURES = ['pattern', 'pattern+task', 'pattern+task+position'] as const;
type Feature = (typeof FEATURES)[number];
const CELLS = 625 * 2 * 7;

/** Cell key of a vote (letters in voter order) and its plurality letter (ties: earliest voter), -1 if none. */
function cell(letters: ArrayLike<number>, task: number, feature: Feature): { key: number; answer: number } {
  let pattern = 0;
  let answer = -1;
  let best = 0;
  for (let i = 0; i < letters.length; i += 1) {
    const l = letters[i] ?? -1;
    let first = i;
    let count = 0;
    for (let j = 0; j < letters.length; j += 1) {
      if (letters[j] !== l) continue;
      first = Math.min(first, j);
      count += 1;
    }
    pattern = pattern * 5 + (l < 0 ? 0 : 1 + first);
    if (l >= 0 && count > best) {
      best = count;
      answer = l;
    }
  }
  const task01 = feature === 'pattern' ? 0 : task;
  return { key: (pattern * 2 + task01) * 7 + (feature === 'pattern+task+position' ? answer + 1 : 0), answer };
}

interface Prepared { keys: Int32Array; correct: Uint8Array; voterCost: Float64Array }
const prepared = (set: number[], feature: Feature): Prepared => {
  const p = { keys: new Int32Array(items.length), correct: new Uint8Array(items.length), voterCost: new Float64Array(items.length) };
  items.forEach((item, i) => {
    const { key, answer } = cell(set.map((v) => item.letters[v] ?? -1), item.task, feature);
    p.keys[i] = key;
    p.correct[i] = answer >= 0 && answer === item.gold ? 1 : 0;
    p.voterCost[i] = set.reduce((s, v) => s + (item.costs[v] ?? 0), 0);
  });
  return p;
};

/**
 * Fits the accept set on rows where train(i): cells sorted by smoothed
 * accuracy minus GPT-4's, accepted in that order while the training accuracy
 * stays ≥ target·GPT-4 (cut only between distinct scores). Returns the accept flags and margin.
 */
function fit(p: Prepared, train: (i: number) => boolean, acc: number): { accept: Uint8Array; margin: number } {
  const n = new Float64Array(CELLS), ok = new Float64Array(CELLS), top = new Float64Array(CELLS);
  let okAll = 0, topAll = 0;
  items.forEach((item, i) => {
    if (!train(i)) return;
    const k = p.keys[i] ?? 0;
    n[k]! += 1; ok[k]! += p.correct[i] ?? 0; top[k]! += item.topCorrect;
    okAll += item.topCorrect; topAll += item.topCorrect;
  });
  const cells = [...n.keys()].filter((k) => (n[k] ?? 0) > 0)
    .map((k) => ({ k, score: ((ok[k] ?? 0) + 1) / ((n[k] ?? 0) + 2) - ((top[k] ?? 0) + 1) / ((n[k] ?? 0) + 2) }))
    .sort((a, b) => b.score - a.score);
  const accept = new Uint8Array(CELLS);
  let margin = -Infinity, j = 0;
  while (j < cells.length) {
    const score = cells[j]?.score ?? 0;
    let next = okAll;
    let e = j;
    for (; e < cells.length && cells[e]?.score === score; e += 1) next += (ok[cells[e]!.k] ?? 0) - (top[cells[e]!.k] ?? 0);
    if (next < (acc + SAFETY) * topAll - 1e-9) break;
    for (; j < e; j += 1) accept[cells[j]!.k] = 1;
    okAll = next;
    margin = -score;
  }
  return { accept, margin };
}

/** Outcome on item i, sequentially (stop once every completion of the vote gives the same decision) or in parallel. */
function replay(set: number[], feature: Feature, accept: Uint8Array, item: Item, memo: Map<string, number>, parallel: boolean) {
  const letters = set.map((v) => item.letters[v] ?? -1);
  const decide = (ls: number[]): number => {
    const { key, answer } = cell(ls, item.task, feature);
    return accept[key] && answer >= 0 ? answer : -2;
  };
  const final = decide(letters);
  let cost = 0;
  let used = set.length;
  for (let j = 1; j < set.length && !parallel; j += 1) {
    const id = `${item.task}:${letters.slice(0, j).join(',')}`;
    let d = memo.get(id);
    if (d === undefined) {
      const rest = set.length - j;
      const base = nOpt[item.task]! + 1;
      const ls = letters.slice(0, j);
      for (let c = 0; c < base ** rest && d !== -3; c += 1) {
        for (let r = 0, x = c; r < rest; r += 1, x = Math.floor(x / base)) ls[j + r] = (x % base) - 1;
        const dc = decide(ls);
        d = d === undefined || d === dc ? dc : -3;
      }
      memo.set(id, d ?? -3);
    }
    if (d !== -3) {
      used = j;
      break;
    }
  }
  for (let j = 0; j < used; j += 1) cost += item.costs[set[j] ?? 0] ?? 0;
  const escalated = final === -2 ? 1 : 0;
  return { correct: escalated ? item.topCorrect : final === item.gold ? 1 : 0, cost: cost + escalated * item.topCost, escalated };
}

// ---- evaluation ----------------------------------------------------------------
const folds = Array.from({ length: R }, (_, r) => assignFolds(items, F, random(SEED + r)));
const SCENARIOS: { name: string; tasks: number[]; targets: Targets }[] = [
  { name: 'ARC', tasks: [0], targets: { acc: 0.98, cost: 0.3 } },
  { name: 'Mix (ARC + Winogrande)', tasks: [0, 1], targets: { acc: 0.97, cost: 0.4 } },
];
const meets = (st: Stats, t: Targets): boolean => st.accRatio >= t.acc && st.costRatio <= t.cost;
interface Eval {
  set: number[]; feature: Feature; train: Stats; trainPar: Stats; margin: number; cv: Stats; cvFolds: Stats[];
  /** Per split: training-fold cost ratio of the refitted policy, and its held-out sums. */
  splitCost: number[]; splitTest: Float64Array[];
}

/** Sums of the fitted policy on rows where use(i). */
function sumsOn(set: number[], feature: Feature, accept: Uint8Array, use: (i: number) => boolean, parallel: boolean): Float64Array {
  const s = new Float64Array(K);
  const memo = new Map<string, number>();
  items.forEach((item, i) => use(i) && addRow(s, 0, item, replay(set, feature, accept, item, memo, parallel)));
  return s;
}

for (const sc of SCENARIOS) {
  const inTask = (i: number): boolean => sc.tasks.includes(items[i]?.task ?? -1);
  const evals: Eval[] = [];
  for (const set of sets) {
    for (const feature of FEATURES) {
      if (sc.tasks.length === 1 && feature === 'pattern+task') continue;
      const p = prepared(set, feature);
      const all = fit(p, inTask, sc.targets.acc);
      const train = stats(sumsOn(set, feature, all.accept, inTask, false), sc.targets);
      if (train.accRatio < sc.targets.acc + SAFETY - 1e-9) continue;
      const trainPar = stats(sumsOn(set, feature, all.accept, inTask, true), sc.targets);
      const pooled = new Float64Array(K);
      const cvFolds: Stats[] = [];
      const splitCost: number[] = [];
      const splitTest: Float64Array[] = [];
      for (let r = 0; r < R; r += 1) {
        for (let f = 0; f < F; f += 1) {
          const trainRows = (i: number): boolean => inTask(i) && folds[r]![i] !== f;
          const { accept } = fit(p, trainRows, sc.targets.acc);
          splitCost.push(stats(sumsOn(set, feature, accept, trainRows, false), sc.targets).costRatio);
          const test = sumsOn(set, feature, accept, (i) => inTask(i) && folds[r]![i] === f, false);
          test.forEach((x, k) => (pooled[k]! += x / R));
          cvFolds.push(stats(test, sc.targets));
          splitTest.push(test);
        }
      }
      evals.push({ set, feature, train, trainPar, margin: all.margin, cv: stats(pooled, sc.targets), cvFolds, splitCost, splitTest });
    }
  }
  const name = (e: Eval): string => `${e.set.map((v) => short(models[v] ?? '')).join(' → ')} [${e.feature}]`;
  const row = (e: Eval): string[] => [name(e), pct(e.margin, 1), pct(e.train.accRatio, 2), pct(e.train.costRatio), pct(e.trainPar.costRatio),
    pct(e.train.escalated), pct(e.cv.accRatio, 2), pct(e.cv.costRatio), pct(Math.min(...e.cvFolds.map((x) => x.accRatio)), 2),
    pct(Math.max(...e.cvFolds.map((x) => x.costRatio))), pct(e.cvFolds.filter((x) => meets(x, sc.targets)).length / e.cvFolds.length, 0)];
  const head = ['voters (sequential order) [features]', 'margin', 'train acc', 'train cost seq', 'train cost par', 'escalated',
    'CV acc', 'CV cost', 'worst fold acc', 'worst fold cost', 'folds meeting both'];
  const print = (rows: string[][]): void => {
    console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log();
  };
  console.log(`## ${sc.name} (targets ${pct(sc.targets.acc, 0)} / ${pct(sc.targets.cost, 0)}; safety ${pct(SAFETY, 1)}; ` +
    `${sets.length} voter sets × features, ${evals.length} meet the accuracy target on all training rows)\n`);
  console.log('Best by training cost (fit on all rows; CV: refit on 4 folds, replay on the 5th, 5 repeats):\n');
  print([...evals].sort((a, b) => a.train.costRatio - b.train.costRatio).slice(0, SHOW).map(row));
  // Nested selection: in each split, pick the voter set and features with the least training-fold cost.
  const picks = new Map<string, number>();
  const nested = Array.from({ length: R * F }, (_, s) => {
    const e = evals.reduce((a, b) => ((b.splitCost[s] ?? 1e9) < (a.splitCost[s] ?? 1e9) ? b : a));
    picks.set(name(e), (picks.get(name(e)) ?? 0) + 1);
    return e.splitTest[s] ?? new Float64Array(K);
  });
  const nestedPooled = stats(nested.reduce((a, b) => a.map((x, k) => x + (b[k] ?? 0))), sc.targets);
  const nestedFolds = nested.map((x) => stats(x, sc.targets));
  console.log(`Nested CV (pick the least training cost in each split, replay on its held-out fold): acc ${pct(nestedPooled.accRatio, 2)}, ` +
    `cost ${pct(nestedPooled.costRatio)}, worst fold acc ${pct(Math.min(...nestedFolds.map((x) => x.accRatio)), 2)}, ` +
    `folds meeting both ${pct(nestedFolds.filter((x) => meets(x, sc.targets)).length / nestedFolds.length, 0)}; picks: ${
      [...picks].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, c]) => `${k} ${c}/${R * F}`).join('; ')} (${picks.size} distinct)\n`);
  console.log('Best by share of CV folds meeting both (optimistic: chosen on the CV result itself):\n');
  const share = (e: Eval): number => e.cvFolds.filter((x) => meets(x, sc.targets)).length;
  print([...evals].sort((a, b) => share(b) - share(a) || b.cv.score - a.cv.score).slice(0, SHOW).map(row));
}
