/**
 * A learned router on the prompt text (RouteLLM style), combined with the
 * `mixtral → yi (2 of 2) → gpt-4` agreement cascade, on the RouterBench
 * training rows (ARC, Winogrande). Only the last question of the few-shot
 * prompt is read (stem and options). Per row, two scores:
 *
 *  - a *hard* score: rows scoring at or above a threshold go to GPT-4 directly
 *    (no cheap calls). Two labels are tried: `gain` (the pair agrees, is wrong,
 *    and GPT-4 is right: the rows the cascade loses) and `need` (the pair does
 *    not return a right answer on its own: it disagrees, or agrees and is wrong);
 *  - an *easy* score: rows scoring at or above a threshold (and not hard) are
 *    answered by one cheap model alone (mixtral or Yi; label: that model is
 *    right), escalating to GPT-4 only when its answer names no option.
 *
 * Every other row runs the plain cascade. Scorers: L2-regularised logistic
 * regression on TF-IDF word unigrams + bigrams plus handcrafted features
 * (`lr-text`), the same on the handcrafted features alone (`lr-hand`), and kNN
 * over TF-IDF cosine (`knn`). A control reads no text: it scores each row by its
 * task's label rate plus a random tie-break, so its thresholds route a random
 * share of rows, task by task. A text scorer is only worth something if it beats it.
 *
 * Evaluation mirrors policy-search.ts: stratified 5-fold CV by task, 5 repeats
 * (seeds 1–5). In each split, the vocabulary, IDF and feature scaling come from
 * the 4 training folds; the scorers' training-row scores are out-of-fold (inner
 * 5-fold CV for the regressions, leave-one-out for kNN); the thresholds and the
 * cheap model are chosen on those scores; the held-out fold is scored with the
 * mean of the inner models (kNN: neighbours among all training rows) and replayed.
 * "Nested" also chooses the text scorer and hard label per split, on the training
 * rows only, so it is the honest held-out figure for the whole family.
 *
 *   npx tsx bench/analysis/text-router-policy.ts [--data DIR] [--folds 5] [--repeats 5] [--seed 1]
 *     [--inner 5] [--k 25] [--lambda 0.001] [--iters 200]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRouterBench } from '../../src/emulator/replay/load-routerbench.js';
import { addRow, assignFolds, K, prepare, random, stats, TOP, type Stats, type Targets } from './policy-lib.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '/work/shared/data/routerbench-train' },
    folds: { type: 'string', default: '5' },
    repeats: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    inner: { type: 'string', default: '5' },
    k: { type: 'string', default: '25' },
    lambda: { type: 'string', default: '0.001' },
    iters: { type: 'string', default: '200' },
  },
});
const [F, R, SEED, INNER, KNN, LAMBDA, ITERS] = [values.folds, values.repeats, values.seed, values.inner, values.k,
  values.lambda, values.iters].map(Number) as [number, number, number, number, number, number, number];
const started = Date.now();

const FILES = ['arc_challenge_train.csv', 'winograde_train.csv'];
const TARGETS: Record<'ARC' | 'mix', Targets> = { ARC: { acc: 0.98, cost: 0.3 }, mix: { acc: 0.97, cost: 0.4 } };
const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;
const table = (head: string[], rows: (string | number)[][]): void => {
  console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log();
};

// ---- rows, outcomes of each route, labels ------------------------------------
const load = await loadRouterBench(FILES.map((file) => join(values.data, file)));
const { models } = load;
const taskOf = (file: string): number => FILES.findIndex((f) => file.endsWith(f));
const rows = load.rows.filter((row) => row.answers[TOP]?.correct !== undefined);
const items = prepare(load.rows, models, (row) => taskOf(row.file));
if (rows.length !== items.length) throw new Error('rows and items do not line up');
const N = items.length;
const MIX = models.indexOf('mistralai/mixtral-8x7b-chat');
const YI = models.indexOf('zero-one-ai/Yi-34B-Chat');
if (MIX < 0 || YI < 0) throw new Error('mixtral or Yi missing');

interface Outcome { correct: number; cost: number; escalated: number }
/** Routes: 0 the cascade, 1 GPT-4 directly, 2 mixtral alone, 3 Yi alone (each escalating when it names no option). */
const ROUTES = ['cascade', 'gpt-4', 'mixtral alone', 'yi alone'];
const outcome: Outcome[][] = ROUTES.map(() => []);
const label = { gain: new Uint8Array(N), need: new Uint8Array(N), easyMix: new Uint8Array(N), easyYi: new Uint8Array(N) };
items.forEach((item, i) => {
  const top = { correct: item.topCorrect, cost: item.topCost, escalated: 1 };
  const [m, y] = [item.letters[MIX] ?? -1, item.letters[YI] ?? -1];
  const pairCost = (item.costs[MIX] ?? 0) + (item.costs[YI] ?? 0);
  const agree = m >= 0 && m === y;
  const yiRight = item.graded[YI] === true;
  outcome[0]!.push(agree ? { correct: yiRight ? 1 : 0, cost: pairCost, escalated: 0 } : { ...top, cost: pairCost + item.topCost });
  outcome[1]!.push(top);
  for (const [route, model, letter] of [[2, MIX, m], [3, YI, y]] as const) {
    const cost = item.costs[model] ?? 0;
    outcome[route]!.push(letter >= 0 ? { correct: item.graded[model] === true ? 1 : 0, cost, escalated: 0 } : { ...top, cost: cost + item.topCost });
  }
  label.gain[i] = agree && !yiRight && item.topCorrect === 1 ? 1 : 0;
  label.need[i] = agree && yiRight ? 0 : 1;
  label.easyMix[i] = m >= 0 && item.graded[MIX] === true ? 1 : 0;
  label.easyYi[i] = y >= 0 && yiRight ? 1 : 0;
});

// ---- the last question: tokens and handcrafted features ----------------------
function lastQuestion(prompt: string): { stem: string; options: string[] } {
  const q = prompt.slice(prompt.lastIndexOf('\n\n') + 2).replace(/\n?Print only a single choice[\s\S]*$/, '');
  const options: string[] = [];
  const stem: string[] = [];
  for (const line of q.split('\n')) {
    const m = /^[A-Z]\) ?(.*)$/.exec(line);
    if (m) options.push(m[1] ?? '');
    else stem.push(line);
  }
  return { stem: stem.join(' ').trim(), options };
}
const words = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
const HAND = ['log stem chars', 'log stem words', 'options', 'mean log option chars', 'max/min option chars', 'digit in stem',
  'digit in options', 'numeric options', 'NOT/EXCEPT/LEAST', "'not'", 'which of the following', 'ends with ?', 'blank position',
  'best/most likely', 'option words in stem', 'ARC'];
const questions = rows.map((row) => lastQuestion(row.prompt));
const tokens: Map<string, number>[] = [];
const handRaw: number[][] = [];
questions.forEach(({ stem, options }, i) => {
  const w = words(stem);
  const counts = new Map<string, number>();
  const add = (term: string): void => void counts.set(term, (counts.get(term) ?? 0) + 1);
  for (const part of [w, ...options.map(words)]) {
    part.forEach((word, j) => {
      add(word);
      if (j > 0) add(`${part[j - 1]} ${word}`);
    });
  }
  tokens.push(counts);
  const lens = options.map((o) => Math.max(o.length, 1));
  const stemWords = new Set(w);
  const optionWords = options.flatMap(words);
  handRaw.push([
    Math.log1p(stem.length), Math.log1p(w.length), options.length, lens.reduce((s, l) => s + Math.log(l), 0) / Math.max(lens.length, 1),
    Math.max(...lens) / Math.min(...lens), /\d/.test(stem) ? 1 : 0, options.some((o) => /\d/.test(o)) ? 1 : 0,
    options.filter((o) => /^[\d\s.,%$/-]+\b/.test(o)).length / Math.max(options.length, 1),
    /\b(NOT|EXCEPT|LEAST)\b/.test(stem) ? 1 : 0, /\bnot\b|n't\b/i.test(stem) ? 1 : 0, /which of the following/i.test(stem) ? 1 : 0,
    stem.endsWith('?') ? 1 : 0, stem.includes('_') ? stem.indexOf('_') / stem.length : 0, /\b(best|most likely)\b/i.test(stem) ? 1 : 0,
    optionWords.filter((x) => stemWords.has(x)).length / Math.max(optionWords.length, 1), items[i]!.task === 0 ? 1 : 0,
  ]);
});

/** A sparse row: TF-IDF terms (L2-normalised) then the scaled handcrafted features. */
interface Sparse { idx: Int32Array; val: Float64Array }
interface Features { text: Sparse[]; hand: Sparse[]; dim: number }

/** Vocabulary (document frequency ≥ 2), IDF and feature scaling from the training rows only. */
function features(train: number[]): Features {
  const df = new Map<string, number>();
  for (const i of train) for (const term of tokens[i]!.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const vocab = new Map<string, number>();
  const idf: number[] = [];
  for (const [term, d] of df) {
    if (d < 2) continue;
    vocab.set(term, vocab.size);
    idf.push(Math.log((1 + train.length) / (1 + d)) + 1);
  }
  const H = HAND.length;
  const mean = new Float64Array(H);
  const sd = new Float64Array(H);
  for (const i of train) handRaw[i]!.forEach((x, h) => (mean[h]! += x / train.length));
  for (const i of train) handRaw[i]!.forEach((x, h) => (sd[h]! += (x - mean[h]!) ** 2 / train.length));
  const scale = 1 / Math.sqrt(H);
  const V = vocab.size;
  const hand = handRaw.map((raw) => ({
    idx: Int32Array.from(raw, (_, h) => V + h),
    val: Float64Array.from(raw, (x, h) => (sd[h]! > 0 ? ((x - mean[h]!) / Math.sqrt(sd[h]!)) * scale : 0)),
  }));
  const text = tokens.map((counts, i) => {
    const entries: [number, number][] = [];
    for (const [term, c] of counts) {
      const v = vocab.get(term);
      if (v !== undefined) entries.push([v, (1 + Math.log(c)) * idf[v]!]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(entries.reduce((s, [, x]) => s + x * x, 0)) || 1;
    const h = hand[i]!;
    return {
      idx: Int32Array.from([...entries.map(([v]) => v), ...h.idx]),
      val: Float64Array.from([...entries.map(([, x]) => x / norm), ...h.val]),
    };
  });
  return { text, hand, dim: V + H };
}

// ---- scorers ----------------------------------------------------------------
const LABELS = ['gain', 'need', 'easyMix', 'easyYi'] as const;
type Label = (typeof LABELS)[number];
/** Out-of-fold scores of the training rows and scores of the test rows, per label. */
interface Scores { train: Record<Label, Float64Array>; test: Record<Label, Float64Array> }
const emptyScores = (nTrain: number, nTest: number): Scores => ({
  train: Object.fromEntries(LABELS.map((l) => [l, new Float64Array(nTrain)])) as Record<Label, Float64Array>,
  test: Object.fromEntries(LABELS.map((l) => [l, new Float64Array(nTest)])) as Record<Label, Float64Array>,
});
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * L2-regularised logistic regressions, one per label (the four labels are fitted
 * side by side), by Nesterov-accelerated gradient descent on mean log loss +
 * λ/2·|w|² (bias not penalised). Returns a predictor of the four probabilities.
 */
function fitLogistic(X: Sparse[], rowsIn: number[], dim: number): (i: number) => Float64Array {
  const n = rowsIn.length;
  const start = new Int32Array(n + 1);
  rowsIn.forEach((i, r) => (start[r + 1] = start[r]! + X[i]!.idx.length));
  const at = new Int32Array(start[n]!);
  const xv = new Float64Array(start[n]!);
  const y = new Float64Array(4 * n);
  rowsIn.forEach((i, r) => {
    at.set(X[i]!.idx.map((v) => 4 * v), start[r]);
    xv.set(X[i]!.val, start[r]);
    LABELS.forEach((l, j) => (y[4 * r + j] = label[l][i]!));
  });
  const size = 4 * (dim + 1);
  const bias = 4 * dim;
  const w = new Float64Array(size);
  const prev = new Float64Array(size);
  const look = new Float64Array(size);
  const grad = new Float64Array(size);
  const lr = 1.5;
  for (let it = 0; it < ITERS; it += 1) {
    const mom = it / (it + 3);
    for (let j = 0; j < size; j += 1) look[j] = w[j]! + mom * (w[j]! - prev[j]!);
    grad.fill(0);
    for (let r = 0; r < n; r += 1) {
      let z0 = look[bias]!;
      let z1 = look[bias + 1]!;
      let z2 = look[bias + 2]!;
      let z3 = look[bias + 3]!;
      const [from, to] = [start[r]!, start[r + 1]!];
      for (let k = from; k < to; k += 1) {
        const a = at[k]!;
        const v = xv[k]!;
        z0 += look[a]! * v;
        z1 += look[a + 1]! * v;
        z2 += look[a + 2]! * v;
        z3 += look[a + 3]! * v;
      }
      const e0 = (sigmoid(z0) - y[4 * r]!) / n;
      const e1 = (sigmoid(z1) - y[4 * r + 1]!) / n;
      const e2 = (sigmoid(z2) - y[4 * r + 2]!) / n;
      const e3 = (sigmoid(z3) - y[4 * r + 3]!) / n;
      for (let k = from; k < to; k += 1) {
        const a = at[k]!;
        const v = xv[k]!;
        grad[a]! += e0 * v;
        grad[a + 1]! += e1 * v;
        grad[a + 2]! += e2 * v;
        grad[a + 3]! += e3 * v;
      }
      grad[bias]! += e0;
      grad[bias + 1]! += e1;
      grad[bias + 2]! += e2;
      grad[bias + 3]! += e3;
    }
    prev.set(w);
    for (let j = 0; j < size; j += 1) w[j] = look[j]! - lr * (grad[j]! + (j < bias ? LAMBDA * look[j]! : 0));
  }
  return (i: number) => {
    const { idx, val } = X[i]!;
    const out = w.slice(bias, bias + 4);
    for (let k = 0; k < idx.length; k += 1) for (let l = 0; l < 4; l += 1) out[l]! += w[4 * idx[k]! + l]! * val[k]!;
    return out.map(sigmoid);
  };
}

/** Inner K-fold out-of-fold scores on the training rows; the test rows get the mean of the inner models. */
function logisticScores(X: Sparse[], dim: number, train: number[], test: number[], seed: number): Scores {
  const out = emptyScores(train.length, test.length);
  const inner = assignFolds(train.map((i) => items[i]!), INNER, random(seed));
  for (let f = 0; f < INNER; f += 1) {
    const predict = fitLogistic(X, train.filter((_, r) => inner[r] !== f), dim);
    train.forEach((i, r) => {
      if (inner[r] !== f) return;
      const p = predict(i);
      LABELS.forEach((l, j) => (out.train[l][r] = p[j]!));
    });
    test.forEach((i, r) => {
      const p = predict(i);
      LABELS.forEach((l, j) => (out.test[l][r]! += p[j]! / INNER));
    });
  }
  return out;
}

/** Cosine similarity (TF-IDF part only) of every row to every training row, via an inverted index. */
function similarities(fx: Features, train: number[]): Float32Array {
  const V = fx.dim - HAND.length;
  const postings: { row: number; v: number }[][] = Array.from({ length: V }, () => []);
  for (const j of train) {
    const { idx, val } = fx.text[j]!;
    for (let k = 0; k < idx.length && idx[k]! < V; k += 1) postings[idx[k]!]!.push({ row: j, v: val[k]! });
  }
  const sim = new Float32Array(N * N);
  for (let i = 0; i < N; i += 1) {
    const { idx, val } = fx.text[i]!;
    for (let k = 0; k < idx.length && idx[k]! < V; k += 1) {
      for (const { row, v } of postings[idx[k]!]!) sim[i * N + row]! += val[k]! * v;
    }
  }
  return sim;
}

/** kNN: similarity-weighted share of positives among the k most similar training rows (leave-one-out for training rows). */
function knnScores(sim: Float32Array, train: number[], test: number[]): Scores {
  const out = emptyScores(train.length, test.length);
  const prior = Object.fromEntries(LABELS.map((l) => [l, train.reduce((s, i) => s + label[l][i]!, 0) / train.length])) as Record<Label, number>;
  const score = (i: number, into: Record<Label, Float64Array>, r: number): void => {
    const near: number[] = [];
    const nearSim: number[] = [];
    for (const j of train) {
      const x = sim[i * N + j]!;
      if (j === i || (near.length === KNN && x <= nearSim[KNN - 1]!)) continue;
      let at = Math.min(near.length, KNN - 1);
      while (at > 0 && nearSim[at - 1]! < x) at -= 1;
      near.splice(at, 0, j);
      nearSim.splice(at, 0, x);
      near.length = Math.min(near.length, KNN);
      nearSim.length = near.length;
    }
    const weight = nearSim.reduce((s, x) => s + x, 0);
    for (const l of LABELS) into[l][r] = (near.reduce((s, j, m) => s + nearSim[m]! * label[l][j]!, 0) + prior[l]) / (weight + 1);
  };
  train.forEach((i, r) => score(i, out.train, r));
  test.forEach((i, r) => score(i, out.test, r));
  return out;
}

/**
 * Control without text: each row scores its task's rate of the label on the
 * training rows, plus a small random tie-break. Thresholds on it route a random
 * share of the rows (of the task with the highest rate first).
 */
function controlScores(train: number[], test: number[], seed: number): Scores {
  const out = emptyScores(train.length, test.length);
  const rand = random(seed);
  const rate = (l: Label, t: number): number => {
    const rows = train.filter((i) => items[i]!.task === t);
    return rows.reduce((s, i) => s + label[l][i]!, 0) / Math.max(rows.length, 1);
  };
  const rates = LABELS.map((l) => FILES.map((_, t) => rate(l, t)));
  for (const [list, into] of [[train, out.train], [test, out.test]] as const) {
    list.forEach((i, r) => {
      const u = rand();
      LABELS.forEach((l, j) => (into[l][r] = rates[j]![items[i]!.task]! + 1e-3 * u));
    });
  }
  return out;
}

// ---- policies: thresholds on the scores --------------------------------------
const HARD_SHARES = Array.from({ length: 31 }, (_, j) => j / 100);
const EASY_SHARES = Array.from({ length: 13 }, (_, j) => j / 20);
/** A rule: route the rows with hard ≥ hardAt to GPT-4, else those with easy ≥ easyAt to `single`, else the cascade. */
interface Rule { hardAt: number; easyAt: number; single: 2 | 3; hardShare: number; easyShare: number }
/** The score at or above which `share` of the rows lie (`sorted` descending). */
const threshold = (sorted: Float64Array, share: number): number =>
  share <= 0 ? Infinity : (sorted[Math.min(sorted.length, Math.ceil(share * sorted.length)) - 1] ?? Infinity);
const descending = (scores: Float64Array): Float64Array => Float64Array.from(scores).sort().reverse();
const route = (rule: Rule, hard: number, easy: number): number => (hard >= rule.hardAt ? 1 : easy >= rule.easyAt ? rule.single : 0);
/** Sums (policy-lib FIELDS, then direct and single counts) of a rule on some rows. */
const S = K + 2;
function replay(rule: Rule, rowsIn: number[], hard: Float64Array, easy: Record<2 | 3, Float64Array>): Float64Array {
  const s = new Float64Array(S);
  rowsIn.forEach((i, r) => {
    const to = route(rule, hard[r]!, easy[rule.single][r]!);
    addRow(s, 0, items[i]!, outcome[to]![i]!);
    if (to === 1) s[K]! += 1;
    if (to >= 2) s[K + 1]! += 1;
  });
  return s;
}
const plus = (a: Float64Array, b: Float64Array): Float64Array => a.map((x, k) => x + (b[k] ?? 0));
interface Candidate { rule: Rule; sums: Float64Array }
/** Every rule of the grid, thresholds set at shares of the training rows' out-of-fold scores. */
function candidates(rowsIn: number[], sc: Record<Label, Float64Array>, hardLabel: 'gain' | 'need'): Candidate[] {
  const hard = sc[hardLabel];
  const easy = { 2: sc.easyMix, 3: sc.easyYi };
  const sorted = { hard: descending(hard), 2: descending(sc.easyMix), 3: descending(sc.easyYi) };
  const out: Candidate[] = [];
  for (const single of [2, 3] as const) {
    for (const hardShare of HARD_SHARES) {
      for (const easyShare of EASY_SHARES) {
        if (single === 3 && easyShare === 0) continue;
        const rule = { hardAt: threshold(sorted.hard, hardShare), easyAt: threshold(sorted[single], easyShare), single, hardShare, easyShare };
        out.push({ rule, sums: replay(rule, rowsIn, hard, easy) });
      }
    }
  }
  return out;
}
/** Cost-ascending rules each more accurate than every cheaper one. */
function front<T extends { sums: Float64Array }>(list: T[]): T[] {
  let best = -Infinity;
  return [...list].sort((a, b) => a.sums[4]! - b.sums[4]! || b.sums[1]! - a.sums[1]!)
    .filter((c) => (c.sums[1]! > best ? ((best = c.sums[1]!), true) : false));
}
type Pick = 'min cost' | 'max t';
const PICKS: Pick[] = ['min cost', 'max t'];
/**
 * min cost: the cheapest choice meeting both targets on the training rows
 * (falling back to max t when none does); max t: the best min(t acc, t cost).
 */
function choose<T extends { sums: Float64Array }>(list: T[], t: Targets, how: Pick): { best: T; train: Stats } {
  const scored = list.map((c) => ({ c, st: stats(c.sums, t) }));
  const byT = scored.reduce((a, b) => (b.st.score > a.st.score ? b : a));
  const feasible = scored.filter(({ st }) => st.accRatio >= t.acc && st.costRatio <= t.cost);
  const pick = how === 'max t' || feasible.length === 0 ? byT : feasible.reduce((a, b) => (b.st.costRatio < a.st.costRatio ? b : a));
  return { best: pick.c, train: pick.st };
}

// ---- cross-validation -------------------------------------------------------
const SCORERS = ['lr-text', 'lr-hand', 'knn', 'no text (task + random)'] as const;
const TEXT_SCORERS = SCORERS.filter((s) => s !== 'no text (task + random)');
const HARD_LABELS = ['gain', 'need'] as const;
const SCENARIOS = ['ARC', 'mix, one router', 'mix, router per task'] as const;
interface Result { test: Float64Array; train: Stats; rule: string }
/** results[scenario][config][pick] → one entry per split (repeat-major). */
const results = new Map<string, Result[]>();
const push = (key: string, r: Result): void => void results.set(key, [...(results.get(key) ?? []), r]);
const baseline: Float64Array[][] = [[], []];
/** AUC of one test fold's scores (NaN without both classes). */
const auc = (list: { score: number; y: number }[]): number => {
  const sorted = [...list].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j += 1;
    for (let k = i; k < j; k += 1) if (sorted[k]!.y === 1) rankSum += (i + j + 1) / 2;
    i = j;
  }
  const pos = list.filter((x) => x.y === 1).length;
  const neg = list.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
};
/** Held-out AUC of each scorer and label, one per split (a test fold's scores are ranked against each other only). */
const aucs = new Map<string, number[]>();
const describe = (rule: Rule): string =>
  `${pct(rule.hardShare, 0)} → GPT-4, ${pct(rule.easyShare, 0)} → ${ROUTES[rule.single]}`;

for (let r = 0; r < R; r += 1) {
  const folds = assignFolds(items, F, random(SEED + r));
  for (let f = 0; f < F; f += 1) {
    const trainAll = items.flatMap((_, i) => (folds[i] !== f ? [i] : []));
    const testAll = items.flatMap((_, i) => (folds[i] === f ? [i] : []));
    const fx = features(trainAll);
    const sim = similarities(fx, trainAll);
    const byTask = (list: number[], t: number): number[] => list.filter((i) => items[i]!.task === t);
    const datasets = { ARC: [byTask(trainAll, 0), byTask(testAll, 0)], Wino: [byTask(trainAll, 1), byTask(testAll, 1)], mix: [trainAll, testAll] } as const;
    for (const [t, rowsIn] of [byTask(testAll, 0), byTask(testAll, 1)].entries()) {
      const s = new Float64Array(S);
      for (const i of rowsIn) addRow(s, 0, items[i]!, outcome[0]![i]!);
      baseline[t]!.push(s);
    }
    for (const scorer of SCORERS) {
      const scores = {} as Record<keyof typeof datasets, Scores>;
      for (const [name, [train, test]] of Object.entries(datasets) as [keyof typeof datasets, readonly [number[], number[]]][]) {
        const seed = 1000 * (SEED + r) + f;
        scores[name] = scorer === 'knn' ? knnScores(sim, train, test) : scorer === 'no text (task + random)' ? controlScores(train, test, seed)
          : logisticScores(scorer === 'lr-text' ? fx.text : fx.hand, fx.dim, train, test, seed);
        for (const l of LABELS) {
          const key = `${name}|${scorer}|${l}`;
          aucs.set(key, [...(aucs.get(key) ?? []), auc(test.map((i, j) => ({ score: scores[name].test[l][j]!, y: label[l][i]! })))]);
        }
      }
      for (const hardLabel of HARD_LABELS) {
        const config = `${scorer}, hard = ${hardLabel}`;
        const cands = Object.fromEntries((Object.keys(datasets) as (keyof typeof datasets)[]).map((name) =>
          [name, candidates(datasets[name][0], scores[name].train, hardLabel)])) as Record<keyof typeof datasets, Candidate[]>;
        const testSums = (name: keyof typeof datasets, rule: Rule): Float64Array => {
          const sc = scores[name].test;
          return replay(rule, datasets[name][1], sc[hardLabel], { 2: sc.easyMix, 3: sc.easyYi });
        };
        const pairs = front(cands.ARC).flatMap((a) => front(cands.Wino).map((w) => ({ a, w, sums: plus(a.sums, w.sums) })));
        for (const how of PICKS) {
          const arc = choose(cands.ARC, TARGETS.ARC, how);
          push(`ARC|${config}|${how}`, { test: testSums('ARC', arc.best.rule), train: arc.train, rule: describe(arc.best.rule) });
          const one = choose(cands.mix, TARGETS.mix, how);
          push(`mix, one router|${config}|${how}`, { test: testSums('mix', one.best.rule), train: one.train, rule: describe(one.best.rule) });
          const per = choose(pairs, TARGETS.mix, how);
          push(`mix, router per task|${config}|${how}`, {
            test: plus(testSums('ARC', per.best.a.rule), testSums('Wino', per.best.w.rule)), train: per.train,
            rule: `ARC ${describe(per.best.a.rule)}; Wino ${describe(per.best.w.rule)}`,
          });
        }
      }
    }
  }
}

// Nested: per split, the configuration whose pick is cheapest among those meeting both targets on the
// training rows (else the best min(t acc, t cost)); the same rule the per-configuration picks use.
const CONFIGS = TEXT_SCORERS.flatMap((s) => HARD_LABELS.map((h) => `${s}, hard = ${h}`));
const CONTROLS = ['no text (task + random), hard = need'];
for (const scenario of SCENARIOS) {
  for (const how of PICKS) {
    const t = scenario === 'ARC' ? TARGETS.ARC : TARGETS.mix;
    for (let split = 0; split < R * F; split += 1) {
      const options = CONFIGS.map((config) => ({ config, res: results.get(`${scenario}|${config}|${how}`)![split]! }));
      const feasible = options.filter(({ res }) => res.train.accRatio >= t.acc && res.train.costRatio <= t.cost);
      const pick = how === 'min cost' && feasible.length > 0
        ? feasible.reduce((a, b) => (b.res.train.costRatio < a.res.train.costRatio ? b : a))
        : options.reduce((a, b) => (b.res.train.score > a.res.train.score ? b : a));
      push(`${scenario}|nested|${how}`, { ...pick.res, rule: `${pick.config}: ${pick.res.rule}` });
    }
  }
}

// ---- report -----------------------------------------------------------------

console.log(`# Learned prompt-text router + mixtral → yi cascade\n\n${N} rows with a GPT-4 grade (${
  items.filter((i) => i.task === 0).length} ARC, ${items.filter((i) => i.task === 1).length} Winogrande); ${F}-fold CV × ${R} repeats (seeds ${
  SEED}–${SEED + R - 1}), inner ${INNER}-fold; λ ${LAMBDA}, ${ITERS} iterations; kNN k ${KNN}. ` +
  `Hard shares 0–30% (step 1%), easy shares 0–60% (step 5%) of the training rows.\n`);

console.log('## Labels (all training rows)\n');
table(['label', 'ARC rate', 'Winogrande rate', 'meaning'], [
  ['gain', 'gain', 'pair agrees, is wrong, GPT-4 is right'], ['need', 'need', 'pair does not return a right answer on its own'],
  ['easyMix', 'easyMix', 'mixtral alone names an option and is graded right'], ['easyYi', 'easyYi', 'Yi alone names an option and is graded right'],
].map(([name, l, meaning]) => {
  const rate = (t: number): string => {
    const idx = items.flatMap((it, i) => (it.task === t ? [i] : []));
    const pos = idx.filter((i) => label[l as Label][i] === 1).length;
    return `${pos} / ${idx.length} (${pct(pos / idx.length, 1)})`;
  };
  return [name!, rate(0), rate(1), meaning!];
}));

console.log('## Reference without text: the cascade, with a share of one task\'s rows sent straight to GPT-4 at random (expected value, all training rows)\n');
{
  const sum = (t: number, route: number, f: 'correct' | 'cost'): number =>
    items.reduce((a, it, i) => a + (it.task === t ? outcome[route]![i]![f] : 0), 0);
  const top = (t: number, f: 'topCorrect' | 'topCost'): number => items.reduce((a, it) => a + (it.task === t ? it[f] : 0), 0);
  const rowsOut: string[][] = [];
  for (const q of [0, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]) {
    const arcAcc = (sum(0, 0, 'correct') + q * (sum(0, 1, 'correct') - sum(0, 0, 'correct'))) / top(0, 'topCorrect');
    const arcCost = (sum(0, 0, 'cost') + q * (sum(0, 1, 'cost') - sum(0, 0, 'cost'))) / top(0, 'topCost');
    const mixAcc = (sum(0, 0, 'correct') + sum(1, 0, 'correct') + q * (sum(1, 1, 'correct') - sum(1, 0, 'correct'))) /
      (top(0, 'topCorrect') + top(1, 'topCorrect'));
    const mixCost = (sum(0, 0, 'cost') + sum(1, 0, 'cost') + q * (sum(1, 1, 'cost') - sum(1, 0, 'cost'))) / (top(0, 'topCost') + top(1, 'topCost'));
    rowsOut.push([pct(q, 0), `${pct(arcAcc)} / ${pct(arcCost, 1)}`, `${pct(mixAcc)} / ${pct(mixCost, 1)}`]);
  }
  table(['share sent to GPT-4', 'ARC (share of ARC rows): acc / cost', 'mix (share of Winogrande rows only): acc / cost'], rowsOut);
}

console.log('## Held-out ranking quality (AUC within each test fold, mean ± SD over the splits; 0.5 = chance)\n');
const meanSd = (xs: number[]): string => {
  const ok = xs.filter((x) => !Number.isNaN(x));
  const mean = ok.reduce((a, x) => a + x, 0) / ok.length;
  return `${mean.toFixed(2)} ± ${Math.sqrt(ok.reduce((a, x) => a + (x - mean) ** 2, 0) / ok.length).toFixed(2)}`;
};
table(['data set', 'scorer', ...LABELS], (['ARC', 'Wino', 'mix'] as const).flatMap((name) =>
  SCORERS.map((scorer) => [name, scorer, ...LABELS.map((l) => meanSd(aucs.get(`${name}|${scorer}|${l}`) ?? []))])));

const summarize = (runs: Float64Array[], t: Targets): (string | number)[] => {
  const pooled = Array.from({ length: R }, (_, r) => stats(runs.slice(r * F, (r + 1) * F).reduce(plus), t));
  const per = runs.map((s) => stats(s, t));
  const mean = (xs: Stats[], f: (s: Stats) => number): number => xs.reduce((a, s) => a + f(s), 0) / xs.length;
  const routed = (k: number): string => pct(runs.reduce((a, s) => a + s[k]!, 0) / runs.reduce((a, s) => a + s[0]!, 0), 1);
  return [pct(mean(pooled, (s) => s.accRatio)), pct(mean(pooled, (s) => s.costRatio), 1),
    `${pct(Math.min(...pooled.map((s) => s.accRatio)))}–${pct(Math.max(...pooled.map((s) => s.accRatio)))}`, pct(Math.min(...per.map((s) => s.accRatio))),
    pct(Math.max(...per.map((s) => s.costRatio)), 1), `${per.filter((s) => s.accRatio >= t.acc && s.costRatio <= t.cost).length}/${per.length}`,
    routed(K), routed(K + 1)];
};
const mode = (list: string[]): string => {
  const counts = new Map<string, number>();
  for (const x of list) counts.set(x, (counts.get(x) ?? 0) + 1);
  const [top = '', n = 0] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
  return `${top} (${n}/${list.length}; ${counts.size} distinct)`;
};

console.log('## Cross-validated results (fit and choose on 4 folds, replay on the 5th)\n');
console.log('Held-out acc and cost: each repeat\'s 5 test folds summed, then the mean over repeats. "train (OOF)": the pick\'s ' +
  'figures on the training rows\' out-of-fold scores, mean over splits. "→ GPT-4" and "→ one model": share of held-out rows so routed.\n');
for (const scenario of SCENARIOS) {
  const t = scenario === 'ARC' ? TARGETS.ARC : TARGETS.mix;
  console.log(`### ${scenario} (targets ${pct(t.acc, 0)} / ${pct(t.cost, 0)})\n`);
  const rowsOut: (string | number)[][] = [];
  const base = scenario === 'ARC' ? baseline[0]! : baseline[0]!.map((s, j) => plus(s, baseline[1]![j]!));
  rowsOut.push(['plain cascade mixtral → yi (2 of 2)', '—', '—', ...summarize(base, t), '—']);
  for (const config of [...CONFIGS, 'nested', ...CONTROLS]) {
    for (const how of PICKS) {
      const runs = results.get(`${scenario}|${config}|${how}`)!;
      const trainAcc = runs.reduce((a, x) => a + x.train.accRatio, 0) / runs.length;
      const trainCost = runs.reduce((a, x) => a + x.train.costRatio, 0) / runs.length;
      rowsOut.push([config === 'nested' ? '**nested (configuration chosen per split)**' : config, how,
        `${pct(trainAcc)} / ${pct(trainCost, 1)}`, ...summarize(runs.map((x) => x.test), t), mode(runs.map((x) => x.rule))]);
    }
  }
  table(['configuration', 'pick', 'train (OOF) acc / cost', 'held-out acc', 'held-out cost', 'held-out acc, range over repeats', 'worst fold acc', 'worst fold cost',
    'folds meeting both', '→ GPT-4', '→ one model', 'most common pick'], rowsOut);
}
console.log(`Runtime: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
