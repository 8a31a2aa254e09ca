import { candidateModels, type Candidate } from './candidate-models.js';
import { isBreakerOpen, statsOf, type ModelStats } from './fleet-snapshot.js';
import type { Router } from './router.js';
import type { RoutingFleet } from './routing-fleet.js';

/** How the router keeps trying models other than the best so far. */
export type Exploration =
  /** With probability `epsilon`, a model at random; else the best score. */
  | { kind: 'epsilon-greedy'; epsilon: number }
  /** The best score plus `c`·√(ln N / n): rarely tried models get a bonus; `c` is √2 by default. */
  | { kind: 'ucb1'; c?: number };

export interface AdaptiveRouterOptions {
  fleet: RoutingFleet;
  /** A uniform number in [0, 1): `Math.random` when wired, a scripted one in tests. */
  random: () => number;
  /** Epsilon-greedy with ε = 0.1 by default. */
  exploration?: Exploration;
  /** Calls a (model, task) needs before the router trusts its averages; fewer, and it is explored first. 5 by default. */
  minSamples?: number;
  /** Weights of the success rate and of the latency score; 1 and 0.25 by default. */
  weights?: { success?: number; latency?: number };
}

interface Scored {
  candidate: Candidate;
  stats: ModelStats;
  score: number;
}

/** One of `items` at random; asks `random` only when there is a choice. */
const pick = <T>(items: readonly T[], random: () => number): T | undefined =>
  items.length <= 1 ? items[0] : items[Math.min(items.length - 1, Math.floor(random() * items.length))];

/**
 * Learns which model serves a task best from per-(model, task) moving
 * averages of success rate and latency, with exploration so that new
 * models get traffic. A usable model (breaker not open, window large
 * enough, in the job's tier when it has one) with fewer than `minSamples`
 * calls for the task is explored first, the least tried first (ties at
 * random). Then each model scores the weighted mean of its success rate
 * and its latency score (the fastest p50 over its own, so in (0, 1]), and
 * epsilon-greedy or UCB1 picks. Randomness comes only from `random`. No
 * opinion when no model is usable.
 */
export function createAdaptiveRouter({
  fleet,
  random,
  exploration = { kind: 'epsilon-greedy', epsilon: 0.1 },
  minSamples = 5,
  weights = {},
}: AdaptiveRouterOptions): Router {
  const wSuccess = weights.success ?? 1;
  const wLatency = weights.latency ?? 0.25;
  if (wSuccess < 0 || wLatency < 0 || wSuccess + wLatency <= 0) {
    throw new RangeError('adaptive router weights must be non-negative and not both 0');
  }
  const needed = Math.max(1, minSamples);

  return (job, snapshot) => {
    const usable = candidateModels(fleet, job).filter((c) => !isBreakerOpen(snapshot, c.model.id));
    const measured = usable.map((candidate) => ({ candidate, stats: statsOf(snapshot, candidate.model.id, job.task) }));
    const samplesOf = (s: ModelStats | undefined): number => s?.samples ?? 0;

    const fresh = measured.filter((m) => samplesOf(m.stats) < needed);
    if (fresh.length > 0) {
      const fewest = Math.min(...fresh.map((m) => samplesOf(m.stats)));
      const chosen = pick(
        fresh.filter((m) => samplesOf(m.stats) === fewest),
        random,
      );
      if (chosen === undefined) return undefined;
      const { model, tier } = chosen.candidate;
      return {
        tier,
        model: model.id,
        reason: `exploring ${model.id} on tier ${tier}: ${fewest} "${job.task}" calls so far, under ${needed}`,
      };
    }

    const fastest = Math.min(...measured.map((m) => Math.max(1, m.stats?.p50LatencyMs ?? 1)));
    const scored: Scored[] = measured.map(({ candidate, stats }) => {
      const known = stats ?? { samples: 0, successRate: 0, p50LatencyMs: Infinity };
      const latencyScore = fastest / Math.max(1, known.p50LatencyMs);
      return { candidate, stats: known, score: (wSuccess * known.successRate + wLatency * latencyScore) / (wSuccess + wLatency) };
    });
    const best = (items: readonly Scored[], value: (s: Scored) => number): Scored | undefined =>
      items.reduce<Scored | undefined>((top, s) => (top === undefined || value(s) > value(top) ? s : top), undefined);
    const explain = (s: Scored): string =>
      `score ${s.score.toFixed(3)} (success ${s.stats.successRate.toFixed(3)}, ` +
      `latency ${Math.round(s.stats.p50LatencyMs)} ms over ${s.stats.samples} "${job.task}" calls)`;
    const choice = (s: Scored, reason: string) => ({ tier: s.candidate.tier, model: s.candidate.model.id, reason });

    const greedy = best(scored, (s) => s.score);
    if (greedy === undefined) return undefined;
    if (exploration.kind === 'epsilon-greedy') {
      if (random() < exploration.epsilon) {
        const chosen = pick(scored, random) ?? greedy;
        const id = chosen.candidate.model.id;
        return choice(
          chosen,
          `exploring at random (ε = ${exploration.epsilon}): ${id} on tier ${chosen.candidate.tier}, ${explain(chosen)}; ` +
            `the best is ${greedy.candidate.model.id}`,
        );
      }
      return choice(greedy, `best ${explain(greedy)}: ${greedy.candidate.model.id} on tier ${greedy.candidate.tier}`);
    }

    const c = exploration.c ?? Math.SQRT2;
    const total = scored.reduce((sum, s) => sum + s.stats.samples, 0);
    const bonus = (s: Scored): number => c * Math.sqrt(Math.log(total) / s.stats.samples);
    const chosen = best(scored, (s) => s.score + bonus(s)) ?? greedy;
    return choice(
      chosen,
      `best UCB1 bound ${(chosen.score + bonus(chosen)).toFixed(3)} = ${explain(chosen)} + bonus ${bonus(chosen).toFixed(3)}: ` +
        `${chosen.candidate.model.id} on tier ${chosen.candidate.tier}`,
    );
  };
}
