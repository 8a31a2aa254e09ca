/**
 * Calibrated votes on the RouterBench training rows (ARC, Winogrande): each
 * cheap voter's vote is weighed by its confusion matrix on the task (how often
 * it says each letter when each letter is right, so a model's favourite letter
 * counts for less), combined naive-Bayes style with the task's letter prior.
 * Voters are asked in order; the first time one letter's posterior reaches τ
 * it is accepted, and when no letter does after the last voter, GPT-4 answers.
 *
 * First fitted and scored on all training rows (in-sample, the best case):
 * the accuracy/cost frontier per task and the best per-task pairs for the mix.
 * Then cross-validated the way policy-search.ts is (5 folds × 5 repeats,
 * stratified by task): calibrate and pick the policy (ARC) or the per-task
 * pair (mix) with the best min(t acc, t cost) on 4 folds, replay it on the 5th.
 *
 *   npx tsx bench/analysis/bayes-policy.ts [--data DIR] [--max-voters 3] [--folds 5] [--repeats 5]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRouterBench } from '../../src/emulator/replay/load-routerbench.js';
import { addRow, assignFolds, K, prepare, random, stats, TOP, type Item, type Stats, type Targets } from './policy-lib.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/work/shared/data/routerbench-train' },
    'max-voters': { type: 'string', default: '3' },
    folds: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '5' },
  },
});
const [MAX_VOTERS, FOLDS, REPEATS] = [values['max-voters'], values.folds, values.repeats].map(Number) as [number, number, number];
const FILES = ['arc_challenge_train.csv', 'winograde_train.csv'];
const TASK_NAMES = ['ARC', 'Winogrande'];
/** Letters A–E, and a sixth column for "no answer". */
const LETTERS = 5;
const COLS = LETTERS + 1;
const TAUS = [0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.985, 0.99, 0.995];

const load = await loadRouterBench(FILES.map((file) => join(values.data, file)));
const { models } = load;
const items = prepare(load.rows, models, (row) => FILES.findIndex((file) => row.file.endsWith(file)));
/** Voters: every model but GPT-4 and the two that cost ~80 % of it (claude-v1, claude-v2). */
const pool = models.flatMap((model, i) => (model === TOP || /claude-v[12]$/.test(model) ? [] : [i]));
const short = (i: number): string =>
  (models[i]?.split('/').pop() ?? '?').replace(/-1106(-preview)?|-chat|-instruct|-V1\.2/gi, '').replace(/^Yi/, 'yi');

interface Calibration {
  /** prior[task][gold] */
  prior: Float64Array[];
  /** confusion[task][model][gold * COLS + vote], each gold row summing to 1 */
  confusion: Float64Array[][];
}

/** Letter priors and confusion matrices, add-one-half smoothed, from rows whose gold letter is known. */
function calibrate(rows: Item[]): Calibration {
  const prior = FILES.map(() => new Float64Array(LETTERS).fill(1));
  const confusion = FILES.map(() => models.map(() => new Float64Array(LETTERS * COLS).fill(0.5)));
  for (const item of rows) {
    if (item.gold < 0) continue;
    prior[item.task]![item.gold]! += 1;
    for (const m of pool) {
      const vote = item.letters[m] ?? -1;
      confusion[item.task]![m]![item.gold * COLS + (vote < 0 ? LETTERS : vote)]! += 1;
    }
  }
  const normalize = (row: Float64Array): void => {
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((x, i) => (row[i] = x / sum));
  };
  for (const t of FILES.keys()) {
    normalize(prior[t]!);
    for (const m of pool) {
      for (let g = 0; g < LETTERS; g += 1) normalize(confusion[t]![m]!.subarray(g * COLS, (g + 1) * COLS));
    }
  }
  return { prior, confusion };
}

/** Replays one policy on one row: correct (0/1) and cost. */
function replay(cal: Calibration, voters: number[], tau: number, item: Item): { correct: number; cost: number; escalated: number } {
  const options = item.task === 1 ? 2 : 4;
  const posterior = Float64Array.from({ length: options }, (_, g) => cal.prior[item.task]![g]!);
  let cost = 0;
  for (const m of voters) {
    cost += item.costs[m] ?? 0;
    const vote = item.letters[m] ?? -1;
    const column = vote < 0 ? LETTERS : vote;
    let sum = 0;
    for (let g = 0; g < options; g += 1) sum += (posterior[g]! *= cal.confusion[item.task]![m]![g * COLS + column]!);
    let best = 0;
    for (let g = 0; g < options; g += 1) {
      posterior[g]! /= sum;
      if (posterior[g]! > posterior[best]!) best = g;
    }
    if (posterior[best]! >= tau) return { correct: best === item.gold ? 1 : 0, cost, escalated: 0 };
  }
  return { correct: item.topCorrect, cost: cost + item.topCost, escalated: 1 };
}

/** Every voter order of 1..MAX_VOTERS pool models. */
function orders(prefix: number[] = []): number[][] {
  const out = prefix.length > 0 ? [prefix] : [];
  if (prefix.length < MAX_VOTERS) for (const m of pool) if (!prefix.includes(m)) out.push(...orders([...prefix, m]));
  return out;
}

interface Point { name: string; correct: number; cost: number }
const cal = calibrate(items);
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const frontiers: Point[][] = [];
const totals = FILES.map((_, t) => {
  const rows = items.filter((item) => item.task === t);
  return { rows, top: rows.reduce((s, i) => s + i.topCorrect, 0), topCost: rows.reduce((s, i) => s + i.topCost, 0) };
});

console.log(`# Calibrated votes (naive Bayes), in-sample\n\n${items.length} rows; voters ${pool.map(short).join(', ')}; up to ${MAX_VOTERS} voters; τ in ${TAUS.join(', ')}.\n`);
for (const [t, { rows, top, topCost }] of totals.entries()) {
  const points: Point[] = [];
  for (const voters of orders()) {
    for (const tau of TAUS) {
      let correct = 0;
      let cost = 0;
      for (const item of rows) {
        const r = replay(cal, voters, tau, item);
        correct += r.correct;
        cost += r.cost;
      }
      points.push({ name: `${voters.map(short).join(' → ')}, τ ${tau}`, correct, cost });
    }
  }
  points.sort((a, b) => a.cost - b.cost || b.correct - a.correct);
  const frontier = points.filter((p, i) => points.slice(0, i).every((q) => q.correct < p.correct));
  frontiers.push(frontier);
  console.log(`## ${TASK_NAMES[t]}: frontier up to 60 % of GPT-4's cost\n\n| acc ratio | cost ratio | policy |\n| --- | --- | --- |`);
  for (const p of frontier) if (p.cost / topCost <= 0.6) console.log(`| ${pct(p.correct / top)} | ${pct(p.cost / topCost)} | ${p.name} |`);
  console.log();
}

const [arc, wino] = totals;
const mixTop = (arc?.top ?? 0) + (wino?.top ?? 0);
const mixCost = (arc?.topCost ?? 0) + (wino?.topCost ?? 0);
const pairs = (frontiers[0] ?? []).flatMap((a) => (frontiers[1] ?? []).map((w) => ({
  acc: (a.correct + w.correct) / mixTop, cost: (a.cost + w.cost) / mixCost, arc: a.name, wino: w.name,
})));
pairs.sort((a, b) => a.cost - b.cost || b.acc - a.acc);
const mixFrontier = pairs.filter((p, i) => pairs.slice(0, i).every((q) => q.acc < p.acc));
console.log('## Mix, a policy per task: frontier from 30 % to 50 % of GPT-4\'s cost\n\n| acc ratio | cost ratio | ARC policy | Winogrande policy |\n| --- | --- | --- | --- |');
for (const p of mixFrontier) if (p.cost >= 0.3 && p.cost <= 0.5) console.log(`| ${pct(p.acc)} | ${pct(p.cost)} | ${p.arc} | ${p.wino} |`);

// ---- cross-validation -------------------------------------------------------
interface Candidate { voters: number[]; tau: number; name: string }
const candidates: Candidate[] = orders().flatMap((voters) =>
  TAUS.map((tau) => ({ voters, tau, name: `${voters.map(short).join(' → ')}, τ ${tau}` })));
const TARGETS: Record<'ARC' | 'mix', Targets> = { ARC: { acc: 0.98, cost: 0.3 }, mix: { acc: 0.97, cost: 0.4 } };
const sums = (c: Calibration, candidate: Candidate, rows: Item[]): Float64Array => {
  const s = new Float64Array(K);
  for (const item of rows) addRow(s, 0, item, replay(c, candidate.voters, candidate.tau, item));
  return s;
};
const plus = (a: Float64Array, b: Float64Array): Float64Array => a.map((x, i) => x + (b[i] ?? 0));
/** Indices of the candidates on a task's training frontier (cost ascending, each more accurate than all cheaper). */
const frontierOf = (s: Float64Array[]): number[] => {
  let best = -1;
  return s.map((_, i) => i).sort((a, b) => (s[a]?.[4] ?? 0) - (s[b]?.[4] ?? 0)).filter((i) => {
    const ok = s[i]?.[1] ?? 0;
    if (ok <= best) return false;
    best = ok;
    return true;
  });
};
const heldOut: Record<'ARC' | 'mix', Stats[]> = { ARC: [], mix: [] };
const picks: Record<'ARC' | 'mix', Map<string, number>> = { ARC: new Map(), mix: new Map() };
const count = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
for (let repeat = 1; repeat <= REPEATS; repeat += 1) {
  const folds = assignFolds(items, FOLDS, random(repeat));
  for (let fold = 0; fold < FOLDS; fold += 1) {
    const train = items.filter((_, i) => folds[i] !== fold);
    const test = items.filter((_, i) => folds[i] === fold);
    const c = calibrate(train);
    const byTask = (rows: Item[], t: number): Item[] => rows.filter((item) => item.task === t);
    const [arcSums = [], winoSums = []] = FILES.map((_, t) => candidates.map((cand) => sums(c, cand, byTask(train, t))));
    const arcPick = arcSums.reduce((best, s, i) => (stats(s, TARGETS.ARC).score > stats(arcSums[best]!, TARGETS.ARC).score ? i : best), 0);
    heldOut.ARC.push(stats(sums(c, candidates[arcPick]!, byTask(test, 0)), TARGETS.ARC));
    count(picks.ARC, candidates[arcPick]!.name);
    let pair: [number, number] = [0, 0];
    let bestScore = -Infinity;
    for (const a of frontierOf(arcSums)) {
      for (const w of frontierOf(winoSums)) {
        const score = stats(plus(arcSums[a]!, winoSums[w]!), TARGETS.mix).score;
        if (score > bestScore) [bestScore, pair] = [score, [a, w]];
      }
    }
    const [a, w] = pair;
    heldOut.mix.push(stats(plus(sums(c, candidates[a]!, byTask(test, 0)), sums(c, candidates[w]!, byTask(test, 1))), TARGETS.mix));
    count(picks.mix, `${candidates[a]!.name} + ${candidates[w]!.name}`);
  }
}
console.log(`\n## Cross-validated (${FOLDS} folds × ${REPEATS} repeats; calibrate and pick on the other folds)\n`);
console.log('| scenario | held-out acc ratio | held-out cost ratio | worst fold acc | worst fold cost | folds meeting both | most picked |\n| --- | --- | --- | --- | --- | --- | --- |');
for (const scenario of ['ARC', 'mix'] as const) {
  const runs = heldOut[scenario];
  const mean = (f: (s: Stats) => number): number => runs.reduce((sum, s) => sum + f(s), 0) / runs.length;
  const meeting = runs.filter((s) => s.accRatio >= TARGETS[scenario].acc && s.costRatio <= TARGETS[scenario].cost).length;
  const [top = '', times = 0] = [...picks[scenario]].sort((x, y) => y[1] - x[1])[0] ?? [];
  console.log(`| ${scenario === 'mix' ? 'mix, a policy per task' : 'ARC'} | ${pct(mean((s) => s.accRatio))} | ${pct(mean((s) => s.costRatio))} | ${
    pct(Math.min(...runs.map((s) => s.accRatio)))} | ${pct(Math.max(...runs.map((s) => s.costRatio)))} | ${meeting}/${runs.length} | ${top}, ${times}/${runs.length} (${picks[scenario].size} distinct) |`);
}
