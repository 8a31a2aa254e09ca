import { candidateModels, type Candidate } from './candidate-models.js';
import { isBreakerOpen, statsOf, type FleetSnapshot } from './fleet-snapshot.js';
import type { RoutableJob } from './routable-job.js';
import type { Router } from './router.js';
import type { RoutingFleet } from './routing-fleet.js';

export interface LatencyRouterOptions {
  fleet: RoutingFleet;
  /** Measured calls needed before a measured p50 replaces the configured figure; 20 by default. */
  minSamples?: number;
  /** The latency bound of jobs that set none; none by default (the fastest model wins). */
  defaultMaxLatencyMs?: number;
  /** Models this close (ms) to the fastest count as tied, and the cheapest of them wins; 0 by default. */
  tieWithinMs?: number;
}

interface Timed {
  candidate: Candidate;
  ms: number;
  /** Where the figure comes from, for the reason. */
  source: string;
}

const ms = (value: number): string => `${Math.round(value)} ms`;

/** A model's p50: measured for the job's task, else measured overall, else configured. */
function latencyOf(candidate: Candidate, job: RoutableJob, snapshot: FleetSnapshot, minSamples: number): Timed | undefined {
  const id = candidate.model.id;
  const forTask = statsOf(snapshot, id, job.task);
  if (forTask !== undefined && forTask.samples >= minSamples) {
    const source = `measured p50 ${ms(forTask.p50LatencyMs)} over ${forTask.samples} "${job.task}" calls`;
    return { candidate, ms: forTask.p50LatencyMs, source };
  }
  const overall = statsOf(snapshot, id);
  if (overall !== undefined && overall.samples >= minSamples) {
    return { candidate, ms: overall.p50LatencyMs, source: `measured p50 ${ms(overall.p50LatencyMs)} over ${overall.samples} calls` };
  }
  const configured = candidate.model.latencyMs;
  if (configured === undefined) return undefined;
  const seen = Math.max(forTask?.samples ?? 0, overall?.samples ?? 0);
  const few = seen === 0 ? 'not yet measured' : `only ${seen} measured calls, under ${minSamples}`;
  return { candidate, ms: configured, source: `configured ${ms(configured)} (${few})` };
}

/**
 * The fastest usable model (breaker not open, window large enough) whose
 * p50 is within the job's `maxLatencyMs` (or the default bound): measured
 * p50s once a model has `minSamples` calls (for the job's task, else
 * overall), its configured `latencyMs` until then; models with neither are
 * passed over. The cheapest wins among ties. When none is within the bound
 * it still picks the fastest and says so; no opinion when no usable model
 * has a latency figure.
 */
export function createLatencyRouter({
  fleet,
  minSamples = 20,
  defaultMaxLatencyMs,
  tieWithinMs = 0,
}: LatencyRouterOptions): Router {
  return (job, snapshot) => {
    const timed = candidateModels(fleet, job)
      .filter((c) => !isBreakerOpen(snapshot, c.model.id))
      .map((c) => latencyOf(c, job, snapshot, minSamples))
      .filter((t): t is Timed => t !== undefined)
      .sort((a, b) => a.ms - b.ms);
    const fastest = timed[0];
    if (fastest === undefined) return undefined;
    const bound = job.maxLatencyMs ?? defaultMaxLatencyMs;
    const within = bound === undefined || fastest.ms <= bound;
    // A tie never reaches past the bound the fastest model meets.
    const limit = within && bound !== undefined ? Math.min(fastest.ms + tieWithinMs, bound) : fastest.ms + tieWithinMs;
    const tied = timed.filter((t) => t.ms <= limit);
    const chosen = tied.reduce((best, t) => (t.candidate.cost < best.candidate.cost ? t : best), fastest);
    const { model, tier } = chosen.candidate;
    const lead =
      bound === undefined
        ? 'fastest model (no latency bound):'
        : within
          ? `fastest model within ${ms(bound)}:`
          : `no usable model is within ${ms(bound)}; the fastest is`;
    const tie = tied.length > 1 ? `; cheapest of ${tied.length} as fast` : '';
    return { tier, model: model.id, reason: `${lead} ${model.id} on tier ${tier}, ${chosen.source}${tie}` };
  };
}
