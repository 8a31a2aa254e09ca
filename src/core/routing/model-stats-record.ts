import type { Attempt } from '../job/attempt.js';
import type { ModelStats, ModelStatsEntry } from './fleet-snapshot.js';
import { updateModelStats, type CallOutcome } from './update-model-stats.js';
import { parseJsonObject } from '../parse-json-object.js';

/**
 * How the fleet keeps per-model stats in one Redis hash: field `<model>`
 * for a model overall and `<model>|<task>` per task type (model ids and
 * task types never hold `|`), value JSON `{samples, successRate,
 * p50LatencyMs, at}`. Pure.
 */
const SEPARATOR = '|';

export function modelStatsField(model: string, task?: string): string {
  return task === undefined ? model : `${model}${SEPARATOR}${task}`;
}

/** A stored value: the stats and when they were last written. */
export interface StoredModelStats extends ModelStats {
  at: number;
}

export function encodeModelStats(stats: ModelStats, at: number): string {
  return JSON.stringify({ samples: stats.samples, successRate: stats.successRate, p50LatencyMs: stats.p50LatencyMs, at });
}

/** A stored value back; undefined when malformed. */
export function decodeModelStats(value: string | null | undefined): StoredModelStats | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = parseJsonObject(value);
  if (parsed === undefined) return undefined;
  const { samples, successRate, p50LatencyMs, at } = parsed;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!finite(samples) || !finite(successRate) || !finite(p50LatencyMs) || !finite(at)) return undefined;
  return { samples, successRate, p50LatencyMs, at };
}

/** The snapshot's `stats` from the whole hash; malformed fields are skipped. */
export function decodeModelStatsHash(hash: Readonly<Record<string, string>>): Record<string, ModelStatsEntry> {
  const entries: Record<string, ModelStatsEntry> = {};
  const byTask: Record<string, Record<string, ModelStats>> = {};
  for (const [field, value] of Object.entries(hash)) {
    const stored = decodeModelStats(value);
    if (stored === undefined) continue;
    const stats: ModelStats = { samples: stored.samples, successRate: stored.successRate, p50LatencyMs: stored.p50LatencyMs };
    const at = field.indexOf(SEPARATOR);
    if (at < 0) {
      entries[field] = stats;
      continue;
    }
    const model = field.slice(0, at);
    const tasks = (byTask[model] ??= {});
    tasks[field.slice(at + 1)] = stats;
  }
  for (const [model, tasks] of Object.entries(byTask)) {
    entries[model] = { ...(entries[model] ?? { samples: 0, successRate: 0, p50LatencyMs: 0 }), byTask: tasks };
  }
  return entries;
}

/**
 * The model calls of a job's attempts, per model, in order: an answer is a
 * success, an error a failure; calls not made (breaker open, no room in the
 * context window), cache hits, content-filter refusals, and calls the client
 * or a shutdown cancelled say nothing of the model's health and are left out.
 */
export function callOutcomesByModel(attempts: readonly Attempt[]): Map<string, CallOutcome[]> {
  const calls = new Map<string, CallOutcome[]>();
  for (const attempt of attempts) {
    // Not calls (breaker open, no room in the window), or not the model's doing (a content filter), or not a call at all (a cache hit).
    if (attempt.outcome === 'breaker-open' || attempt.outcome === 'skipped' || attempt.outcome === 'refused' || attempt.cached === true) continue;
    if (attempt.outcome === 'error' && attempt.error?.kind === 'cancelled') continue;
    const outcome: CallOutcome = { ok: attempt.outcome !== 'error', latencyMs: attempt.latencyMs };
    const list = calls.get(attempt.model);
    if (list === undefined) calls.set(attempt.model, [outcome]);
    else list.push(outcome);
  }
  return calls;
}

/** `previous` after each of `calls` in turn (see updateModelStats). */
export function foldModelStats(previous: ModelStats | undefined, calls: readonly CallOutcome[], alpha?: number): ModelStats | undefined {
  return calls.reduce<ModelStats | undefined>(
    (stats, call) => updateModelStats(stats, call, alpha === undefined ? {} : { alpha }),
    previous,
  );
}
