/**
 * Agreement-cascade policy search on the RouterBench training rows (ARC,
 * Winogrande and their mix): which cheap models vote, in which order, how many
 * must agree, and when to escalate to GPT-4. Prints markdown tables; findings
 * are in bench/analysis/POLICIES.md.
 *
 *   npx tsx bench/analysis/policy-search.ts [--data DIR] [--folds 5] [--repeats 5] [--seed 1]
 *     [--max-voters 5] [--simple-voters 3] [--max-voter-cost 0.2] [--show 6]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRouterBench } from '../../src/emulator/replay/load-routerbench.js';
import {
  addRow, assignFolds, enumeratePolicies, extract, extractAnswer, K, parseOptions, prepare, random, runPolicy, stats, TOP,
  type ExtractRule, type Item, type Policy, type Stats, type Targets,
} from './policy-lib.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/work/shared/data/routerbench-train' },
    folds: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '5' },
    'max-voters': { type: 'string', default: '5' },
    'simple-voters': { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    show: { type: 'string', default: '6' },
    'max-voter-cost': { type: 'string', default: '0.2' },
  },
});
const [F, R, MAX_VOTERS, SIMPLE, SEED, SHOW] = [values.folds, values.repeats, values['max-voters'],
  values['simple-voters'], values.seed, values.show].map(Number) as [number, number, number, number, number, number];

const TASKS = [
  { name: 'ARC', file: 'arc_challenge_train.csv' },
  { name: 'Winogrande', file: 'winograde_train.csv' },
];
const TARGETS: Record<string, Targets> = { ARC: { acc: 0.98, cost: 0.3 }, mix: { acc: 0.97, cost: 0.4 } };
/** Voters may cost at most this share of a GPT-4 call (claude-v1/v2 cost ~80% of it). */
const MAX_VOTER_COST = Number(values['max-voter-cost']);

// ---- load and extract -------------------------------------------------------
const load = await loadRouterBench(TASKS.map((t) => join(values.data, t.file)));
const { models } = load;
const items = prepare(load.rows, models, (row) => TASKS.findIndex((t) => row.file.endsWith(t.file)));
const short = (m: string): string =>
  (m.split('/').pop() ?? m).replace(/-1106(-preview)?|-chat|-instruct|-V1\.2/gi, '').replace(/^Yi/, 'yi');
const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
const ratio = (x: number): string => pct(x, 2);
const table = (head: string[], rows: (string | number)[][]): void => {
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log();
};

console.log(`# Policy search\n\n${load.rows.length} rows loaded; skipped: ${load.skipped.length} (${
  [...new Set(load.skipped.map((s) => s.reason))].join('; ')}); ${items.length} rows with a GPT-4 grade.\n`);

/** Extractor examples: response, option texts, expected letter. */
const selfCheck: [string, string, string | null][] = [
  ['C\n', 'w|x|y|z', 'C'], ['The answer is (B).', 'w|x|y|z', 'B'], ['Answer: A', 'w|x|y|z', 'A'], ['D (', 'w|x|y|z', 'D'],
  ['A chart', 'a chart|a graph', 'A'], ['A first', 'first-aid kit|water', 'A'], ['Rober', 'Joel|Robert', 'B'],
  ['13', '28|13|1|7', 'B'], ['I do', 'Joel|Robert', null], ['G\n', 'w|x|y|z', null], ['I think (B), not C', 'w|x', 'B'],
];
for (const [text, texts, want] of selfCheck) {
  const got = extractAnswer(text, new Map(texts.split('|').map((o, i) => [String.fromCharCode(65 + i), o])));
  if (got !== want) throw new Error(`extractor self-check: ${JSON.stringify(text)} gave ${got}, expected ${want}`);
}

/** How often each extractor rule decided, per task and model: "letter/stated/text/none". */
const ruleCounts = (t: number, model: string): string => {
  const n: Record<ExtractRule, number> = { letter: 0, stated: 0, text: 0, none: 0 };
  for (const row of load.rows) {
    const answer = row.answers[model];
    if (answer && row.file.endsWith(TASKS[t]?.file ?? '?')) n[extract(answer.text, parseOptions(row.prompt)).rule] += 1;
  }
  return `${n.letter}/${n.stated}/${n.text}/${n.none}`;
};

for (const [t, task] of TASKS.entries()) {
  const rows = items.filter((item) => item.task === t);
  const topCost = rows.reduce((s, item) => s + item.topCost, 0);
  console.log(`## ${task.name}: models and extractor (${rows.length} rows, ${rows.filter((i) => i.gold < 0).length} with no correct answer)\n`);
  table(['model', 'accuracy (grade)', 'cost $', 'cost / GPT-4', 'letter extracted', 'rule letter/stated/text/none', 'extracted-vs-grade agreement', 'graded ✓ but extracted ✗', 'graded ✗ but extracted ✓'],
    models.map((m, i) => {
      const graded = rows.filter((item) => item.graded[i] !== undefined);
      const right = graded.filter((item) => item.graded[i]).length;
      const extractedRight = (item: Item): boolean => item.gold >= 0 && item.letters[i] === item.gold;
      const cost = rows.reduce((s, item) => s + (item.costs[i] ?? 0), 0);
      return [short(m), pct(right / graded.length), cost.toFixed(3), pct(cost / topCost),
        pct(rows.filter((item) => (item.letters[i] ?? -1) >= 0).length / rows.length), ruleCounts(t, m),
        pct(graded.filter((item) => extractedRight(item) === item.graded[i]).length / graded.length, 2),
        graded.filter((item) => item.graded[i] && !extractedRight(item)).length,
        graded.filter((item) => !item.graded[i] && extractedRight(item)).length];
    }));
}

// ---- replay every policy once, summing per (repeat, fold) -------------------
const relCost = (i: number): number => Math.max(...TASKS.map((_, t) => {
  const rows = items.filter((item) => item.task === t);
  return rows.reduce((s, item) => s + (item.costs[i] ?? 0), 0) / rows.reduce((s, item) => s + item.topCost, 0);
}));
const pool = models.flatMap((m, i) => (m !== TOP && relCost(i) <= MAX_VOTER_COST ? [i] : []));
const policies = enumeratePolicies(pool, MAX_VOTERS);
const folds = Array.from({ length: R }, (_, r) => assignFolds(items, F, random(SEED + r)));
const sums = TASKS.map(() => new Float64Array(policies.length * R * F * K));
const slot = (p: number, r: number, f: number): number => ((p * R + r) * F + f) * K;
policies.forEach((policy, p) => {
  items.forEach((item, i) => {
    const outcome = runPolicy(policy, item);
    for (let r = 0; r < R; r += 1) addRow(sums[item.task]!, slot(p, r, folds[r]?.[i] ?? 0), item, outcome);
  });
});
console.log(`Voter pool (cost ≤ ${pct(MAX_VOTER_COST, 0)} of GPT-4): ${pool.map((i) => short(models[i] ?? '')).join(', ')}; ` +
  `${policies.length} policies (orders of up to ${MAX_VOTERS} voters × majority thresholds); ${F}-fold CV × ${R} repeats.\n`);

/** Sums of policy p over the given tasks, for repeat r, over folds where keep(f). */
function total(p: number, tasks: number[], r = 0, keep = (_f: number): boolean => true): Float64Array {
  const out = new Float64Array(K);
  for (const t of tasks) {
    for (let f = 0; f < F; f += 1) {
      if (!keep(f)) continue;
      const at = slot(p, r, f);
      for (let k = 0; k < K; k += 1) out[k]! += sums[t]![at + k]!;
    }
  }
  return out;
}
const plus = (a: Float64Array, b: Float64Array): Float64Array => a.map((x, k) => x + (b[k] ?? 0));

/** A choice: one policy for all tasks, or one per task (index into `policies` per task). */
type Choice = number[];
interface Scenario {
  name: string;
  tasks: number[];
  targets: Targets;
  perTask: boolean;
}
const SCENARIOS: Scenario[] = [
  { name: 'ARC', tasks: [0], targets: TARGETS.ARC!, perTask: false },
  { name: 'Winogrande (mix targets)', tasks: [1], targets: TARGETS.mix!, perTask: false },
  { name: 'Mix, one policy for both', tasks: [0, 1], targets: TARGETS.mix!, perTask: false },
  { name: 'Mix, policy per task (ARC, Winogrande)', tasks: [0, 1], targets: TARGETS.mix!, perTask: true },
];
const choiceSums = (s: Scenario, c: Choice, r: number, keep?: (f: number) => boolean): Float64Array =>
  s.perTask ? s.tasks.map((t, j) => total(c[j] ?? 0, [t], r, keep)).reduce(plus) : total(c[0] ?? 0, s.tasks, r, keep);

/**
 * Choices on the given folds, best first. The score is min(t acc, t cost): how
 * many standard errors the weaker of the two targets is met by (negative: missed
 * by), so the pick is the policy most likely to meet both on new rows. Per-task
 * choices pair up each task's (accuracy, cost) Pareto front.
 */
function rank(s: Scenario, maxVoters: number, r: number, keep?: (f: number) => boolean): { choice: Choice; st: Stats }[] {
  const allowed = policies.flatMap((p, i) => (p.voters.length <= maxVoters ? [i] : []));
  const scored = (choices: Choice[]): { choice: Choice; st: Stats }[] =>
    choices.map((choice) => ({ choice, st: stats(choiceSums(s, choice, r, keep), s.targets) })).sort((a, b) => b.st.score - a.st.score);
  if (!s.perTask) return scored(allowed.map((p) => [p]));
  const fronts = s.tasks.map((t) => {
    const pts = allowed.map((p) => {
      const [, ok = 0, , top = 0, cost = 0, , , topCost = 0] = total(p, [t], r, keep);
      return { p, acc: ok - s.targets.acc * top, cheap: s.targets.cost * topCost - cost };
    }).sort((a, b) => b.acc - a.acc || b.cheap - a.cheap);
    let best = -Infinity;
    return pts.filter((pt) => (pt.cheap > best ? ((best = pt.cheap), true) : false)).map((pt) => pt.p);
  });
  const [a = [], b = []] = fronts;
  return scored(a.flatMap((x) => b.map((y) => [x, y])));
}

const describe = (p: Policy): string =>
  `${p.voters.map((v) => short(models[v] ?? '')).join(' → ')} (${p.need} of ${p.voters.length})`;
const describeChoice = (s: Scenario, c: Choice): string =>
  s.perTask ? c.map((p, j) => `${TASKS[s.tasks[j] ?? 0]?.name}: ${describe(policies[p]!)}`).join('<br>') : describe(policies[c[0] ?? 0]!);
const meets = (st: Stats, t: Targets): boolean => st.accRatio >= t.acc && st.costRatio <= t.cost;
const parallelCost = (s: Scenario, c: Choice): number => {
  let cost = 0;
  let top = 0;
  for (const item of items.filter((it) => s.tasks.includes(it.task))) {
    const p = policies[c[s.perTask ? s.tasks.indexOf(item.task) : 0] ?? 0]!;
    cost += runPolicy(p, item, true).cost;
    top += item.topCost;
  }
  return cost / top;
};

// ---- best policies on all training rows, with their per-fold spread ----------
for (const s of SCENARIOS) {
  console.log(`## ${s.name}: best policies on all training rows (targets: accuracy ≥ ${pct(s.targets.acc, 0)}, cost ≤ ${pct(s.targets.cost, 0)} of GPT-4)\n`);
  const all = rank(s, MAX_VOTERS, 0);
  const seen = new Set<string>();
  const best = all.filter(({ choice }) => {
    const key = choice.map((p) => [...(policies[p]?.voters ?? [])].sort().join(',') + `/${policies[p]?.need}`).join(' ');
    return seen.has(key) ? false : (seen.add(key), true);
  }).slice(0, SHOW);
  table(['policy (sequential order)', 'acc ratio', 'cost ratio seq', 'cost ratio parallel', 'escalated', 't acc', 't cost',
    'CV folds: mean acc ratio', 'worst acc', 'worst cost', 'folds meeting both'],
  best.map(({ choice, st }) => {
    const perFold = Array.from({ length: R * F }, (_, i) =>
      stats(choiceSums(s, choice, Math.floor(i / F), (f) => f === i % F), s.targets));
    return [describeChoice(s, choice), ratio(st.accRatio), pct(st.costRatio), pct(parallelCost(s, choice)), pct(st.escalated),
      st.tAcc.toFixed(1), st.tCost.toFixed(1), ratio(perFold.reduce((a, x) => a + x.accRatio, 0) / perFold.length),
      ratio(Math.min(...perFold.map((x) => x.accRatio))), pct(Math.max(...perFold.map((x) => x.costRatio))),
      pct(perFold.filter((x) => meets(x, s.targets)).length / perFold.length, 0)];
  }));
  let bestAcc = -Infinity;
  const front = [...all].sort((a, b) => a.st.costRatio - b.st.costRatio)
    .filter(({ st }) => (st.accRatio > bestAcc ? ((bestAcc = st.accRatio), true) : false));
  console.log(`Accuracy/cost frontier of the whole family (${all.filter(({ st }) => meets(st, s.targets)).length} of ${all.length} ` +
    `${s.perTask ? 'Pareto pairs' : 'policies'} meet both targets on all training rows):\n`);
  table(['cost ratio', 'acc ratio', 'policy'], front.filter(({ st }) => st.costRatio <= 0.7 && st.accRatio >= 0.9)
    .map(({ choice, st }) => [pct(st.costRatio), ratio(st.accRatio), describeChoice(s, choice)]));
}

// ---- cross-validated selection: pick on F-1 folds, test on the held-out one ---
console.log(`## Cross-validated selection (pick the best score on ${F - 1} folds, replay it on the held-out fold)\n`);
const cvRows: (string | number)[][] = [];
for (const s of SCENARIOS) {
  for (const maxVoters of [...new Set([SIMPLE, MAX_VOTERS])]) {
    const pooled: Stats[] = [];
    const perFold: Stats[] = [];
    const picks = new Map<string, number>();
    for (let r = 0; r < R; r += 1) {
      let held: Float64Array = new Float64Array(K);
      for (let f = 0; f < F; f += 1) {
        const [pick] = rank(s, maxVoters, r, (g) => g !== f);
        if (!pick) continue;
        const test = choiceSums(s, pick.choice, r, (g) => g === f);
        held = plus(held, test);
        perFold.push(stats(test, s.targets));
        const name = describeChoice(s, pick.choice);
        picks.set(name, (picks.get(name) ?? 0) + 1);
      }
      pooled.push(stats(held, s.targets));
    }
    const [topPick, count = 0] = [...picks].sort((a, b) => b[1] - a[1])[0] ?? [];
    cvRows.push([s.name, `≤ ${maxVoters}`, ratio(pooled.reduce((a, x) => a + x.accRatio, 0) / R),
      pct(pooled.reduce((a, x) => a + x.costRatio, 0) / R), ratio(Math.min(...perFold.map((x) => x.accRatio))),
      pct(Math.max(...perFold.map((x) => x.costRatio))), pct(perFold.filter((x) => meets(x, s.targets)).length / perFold.length, 0),
      `${topPick} (${count}/${R * F})`, picks.size]);
  }
}
table(['scenario', 'voters', 'held-out acc ratio', 'held-out cost ratio', 'worst fold acc', 'worst fold cost',
  'folds meeting both', 'most picked', 'distinct picks'], cvRows);
