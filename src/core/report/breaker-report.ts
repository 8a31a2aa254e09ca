import { parseJsonObject } from '../parse-json-object.js';

/**
 * What worker processes report of their breakers, and how the dashboard
 * reads it: one report per (tier, model, process), refreshed by heartbeats;
 * a report older than the live horizon is from a process that is gone.
 */
export type ReportedBreakerState = 'closed' | 'half-open' | 'open';

export interface BreakerReport {
  tier: string;
  model: string;
  processId: string;
  state: ReportedBreakerState;
  /** Epoch ms of the report. */
  at: number;
}

/** Reports older than this are from processes that stopped (heartbeats come every 30 s). */
export const BREAKER_REPORT_LIVE_MS = 2 * 60_000;
/** Reports older than this may be deleted. */
export const BREAKER_REPORT_FORGET_MS = 60 * 60_000;

const SEPARATOR = '|';
const STATES: readonly string[] = ['closed', 'half-open', 'open'];
const SEVERITY: Record<ReportedBreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Hash field of one process's report on one model: `<tier>|<model>|<processId>`. */
export function breakerReportField(tier: string, model: string, processId: string): string {
  return `${tier}${SEPARATOR}${model}${SEPARATOR}${processId}`;
}

export function breakerReportValue(state: ReportedBreakerState, at: number): string {
  return JSON.stringify({ state, at });
}

/** A report from its hash field and value; undefined when either is malformed. */
export function parseBreakerReport(field: string, value: string): BreakerReport | undefined {
  const first = field.indexOf(SEPARATOR);
  const last = field.lastIndexOf(SEPARATOR);
  if (first <= 0 || last <= first + 1 || last === field.length - 1) return undefined;
  const parsed = parseJsonObject(value);
  if (parsed === undefined) return undefined;
  const { state, at } = parsed;
  if (typeof state !== 'string' || !STATES.includes(state) || typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  return {
    tier: field.slice(0, first),
    model: field.slice(first + 1, last),
    processId: field.slice(last + 1),
    state: state as ReportedBreakerState,
    at,
  };
}

/** The most alarming of some states (open, then half-open, then closed); undefined for none. */
export function worstBreakerState(states: Iterable<ReportedBreakerState>): ReportedBreakerState | undefined {
  let worst: ReportedBreakerState | undefined;
  for (const state of states) if (worst === undefined || SEVERITY[state] > SEVERITY[worst]) worst = state;
  return worst;
}

/** One model's breaker across the live processes that use it. */
export interface ModelBreaker {
  model: string;
  /** Tiers whose processes reported it. */
  tiers: string[];
  /** The worst state any live process reports. */
  state: ReportedBreakerState;
  /** Live processes reporting each state. */
  processes: Record<ReportedBreakerState, number>;
}

export interface BreakerOverview {
  /** Models with at least one live report, by model id. */
  models: Map<string, ModelBreaker>;
  /** Fields that are malformed or older than the forget horizon. */
  expired: string[];
}

/** Reads a hash of reports (field → value): the worst live state per model. */
export function summarizeBreakerReports(
  hash: Readonly<Record<string, string>>,
  nowMs: number,
  horizons: { liveMs?: number; forgetMs?: number } = {},
): BreakerOverview {
  const liveMs = horizons.liveMs ?? BREAKER_REPORT_LIVE_MS;
  const forgetMs = horizons.forgetMs ?? BREAKER_REPORT_FORGET_MS;
  const models = new Map<string, ModelBreaker>();
  const expired: string[] = [];
  for (const [field, value] of Object.entries(hash)) {
    const report = parseBreakerReport(field, value);
    const age = report === undefined ? Number.POSITIVE_INFINITY : nowMs - report.at;
    if (report === undefined || age > forgetMs) expired.push(field);
    if (report === undefined || age > liveMs) continue;
    let breaker = models.get(report.model);
    if (breaker === undefined) {
      breaker = { model: report.model, tiers: [], state: report.state, processes: { closed: 0, 'half-open': 0, open: 0 } };
      models.set(report.model, breaker);
    }
    if (!breaker.tiers.includes(report.tier)) breaker.tiers.push(report.tier);
    breaker.processes[report.state] += 1;
    breaker.state = worstBreakerState([breaker.state, report.state]) ?? report.state;
  }
  return { models, expired };
}
