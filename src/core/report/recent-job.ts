import type { Attempt } from '../job/attempt.js';
import { parseJsonObject } from '../parse-json-object.js';
import { isFinishedState, type FinishedState } from './stat-increments.js';

/** One line of the dashboard's "recent jobs" table. */
export interface RecentJob {
  id: string;
  tenant: string;
  entryTier: string;
  state: FinishedState;
  /** The tier and model that answered; for a failed or cancelled job, those of its last attempt (empty when it made none). */
  tier: string;
  model: string;
  /** Over every attempt. */
  costUsd: number;
  /** Enqueued to finished, in ms. */
  latencyMs: number;
  attempts: number;
  /** Epoch ms. */
  finishedAt: number;
}

export interface RecentJobFacts {
  id: string;
  tenant: string;
  entryTier: string;
  state: FinishedState;
  attempts: readonly Attempt[];
  /** Who answered, when completed. */
  answer?: { tier: string; model: string };
  enqueuedAt: number;
  finishedAt: number;
}

export function recentJobOf(facts: RecentJobFacts): RecentJob {
  const last = facts.attempts.at(-1);
  const cost = facts.attempts.reduce((sum, a) => sum + a.costUsd, 0);
  return {
    id: facts.id,
    tenant: facts.tenant,
    entryTier: facts.entryTier,
    state: facts.state,
    tier: facts.answer?.tier ?? last?.tier ?? '',
    model: facts.answer?.model ?? last?.answeredModel ?? last?.model ?? '',
    costUsd: Math.round(cost * 1e8) / 1e8,
    latencyMs: Math.max(0, facts.finishedAt - facts.enqueuedAt),
    attempts: facts.attempts.length,
    finishedAt: facts.finishedAt,
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A recent job from its stored JSON; undefined when the text is not one. */
export function parseRecentJob(text: string): RecentJob | undefined {
  const value = parseJsonObject(text);
  if (value === undefined) return undefined;
  const { id, tenant, entryTier, state, tier, model, costUsd, latencyMs, attempts, finishedAt } = value;
  if (!isString(id) || !isString(tenant) || !isString(entryTier) || !isString(tier) || !isString(model)) return undefined;
  if (!isFinishedState(state)) return undefined;
  if (!isNumber(costUsd) || !isNumber(latencyMs) || !isNumber(attempts) || !isNumber(finishedAt)) return undefined;
  return { id, tenant, entryTier, state, tier, model, costUsd, latencyMs, attempts, finishedAt };
}
