import { gotAnswer, type Attempt } from '../job/attempt.js';
import type { JobResult } from '../job/job-result.js';

/** Counts and figures for one (tier, model) pair, or for the whole run. */
export interface RunSummaryRow {
  /** Tier name, or `'all'` in the totals row. */
  tier: string;
  /** Model id as the fleet asked for it, or `'all'` in the totals row. */
  model: string;
  /** Attempts on this model (calls made, plus calls skipped by an open breaker). */
  calls: number;
  /** Attempts whose answer was kept. */
  answered: number;
  /** Attempts that answered, but not confidently enough, so a higher tier was asked. */
  escalations: number;
  /** Attempts that answered (kept or escalated) as a fallback of their tier. */
  fallbacks: number;
  /** Attempts that failed. */
  errors: number;
  /** Attempts skipped because the model's breaker was open. */
  breakerSkips: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Nearest-rank percentiles of the latency of attempts that got an answer; 0 when none did. */
  p50LatencyMs: number;
  p95LatencyMs: number;
}

export interface RunJobCounts {
  total: number;
  completed: number;
  failed: number;
  /** Jobs whose attempts span more than one tier. */
  escalated: number;
  /** Jobs per second of wall time; 0 when no time passed. */
  perSecond: number;
}

/** What a run of jobs came to, per (tier, model) and in total. */
export interface RunSummary {
  jobs: RunJobCounts;
  wallMs: number;
  /** One row per (tier, model) seen in any attempt: tiers in order of first appearance, models by id. */
  rows: RunSummaryRow[];
  /** Every attempt of the run; `tier` and `model` are `'all'`. */
  totals: RunSummaryRow;
}

/** The `p`th percentile (0–100) of ascending `sorted` by nearest rank; 0 for an empty list. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}


function summarizeAttempts(tier: string, model: string, attempts: readonly Attempt[]): RunSummaryRow {
  const row: RunSummaryRow = {
    tier,
    model,
    calls: attempts.length,
    answered: 0,
    escalations: 0,
    fallbacks: 0,
    errors: 0,
    breakerSkips: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    p50LatencyMs: 0,
    p95LatencyMs: 0,
  };
  const latencies: number[] = [];
  for (const attempt of attempts) {
    switch (attempt.outcome) {
      case 'accepted':
        row.answered += 1;
        break;
      case 'escalated':
        row.escalations += 1;
        break;
      case 'voted':
      case 'undecided':
        row.answered += 1;
        break;
      case 'error':
        row.errors += 1;
        break;
      case 'breaker-open':
        row.breakerSkips += 1;
        break;
    }
    if (gotAnswer(attempt)) {
      latencies.push(attempt.latencyMs);
      if (attempt.fallback) row.fallbacks += 1;
    }
    row.inputTokens += attempt.usage?.inputTokens ?? 0;
    row.outputTokens += attempt.usage?.outputTokens ?? 0;
    row.costUsd += attempt.costUsd;
  }
  latencies.sort((a, b) => a - b);
  row.p50LatencyMs = nearestRank(latencies, 50);
  row.p95LatencyMs = nearestRank(latencies, 95);
  return row;
}

/**
 * Sums up a run: job counts, throughput over `wallMs`, and one row per
 * (tier, model) that any attempt reached, plus a totals row. Rows follow
 * `order` when given, else tiers by first appearance and models by id.
 */
export function summarizeRun(
  results: readonly JobResult[],
  wallMs: number,
  /** The fleet's tiers, lowest first, and models, each tier's primary first; rows follow it when given. */
  order?: { tiers: readonly string[]; models: readonly string[] },
): RunSummary {
  const tierOrder = new Map<string, number>((order?.tiers ?? []).map((t, i) => [t, i]));
  const modelRank = (model: string): number => {
    const at = order?.models.indexOf(model) ?? -1;
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  /** tier → model → attempts */
  const byTier = new Map<string, Map<string, Attempt[]>>();
  const all: Attempt[] = [];
  let completed = 0;
  let failed = 0;
  let escalated = 0;

  for (const result of results) {
    if (result.state === 'completed') completed += 1;
    else if (result.state === 'failed') failed += 1;
    const tiers = new Set<string>();
    for (const attempt of result.attempts) {
      tiers.add(attempt.tier);
      all.push(attempt);
      if (!tierOrder.has(attempt.tier)) tierOrder.set(attempt.tier, tierOrder.size);
      let models = byTier.get(attempt.tier);
      if (models === undefined) {
        models = new Map();
        byTier.set(attempt.tier, models);
      }
      const list = models.get(attempt.model);
      if (list === undefined) models.set(attempt.model, [attempt]);
      else list.push(attempt);
    }
    if (tiers.size > 1) escalated += 1;
  }

  const rows: RunSummaryRow[] = [];
  const tiers = [...byTier.keys()].sort((a, b) => (tierOrder.get(a) ?? 0) - (tierOrder.get(b) ?? 0));
  for (const tier of tiers) {
    const models = byTier.get(tier) ?? new Map<string, Attempt[]>();
    const ids = [...models.keys()].sort((a, b) => modelRank(a) - modelRank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const model of ids) rows.push(summarizeAttempts(tier, model, models.get(model) ?? []));
  }

  const total = results.length;
  return {
    jobs: { total, completed, failed, escalated, perSecond: wallMs > 0 ? total / (wallMs / 1000) : 0 },
    wallMs,
    rows,
    totals: summarizeAttempts('all', 'all', all),
  };
}
