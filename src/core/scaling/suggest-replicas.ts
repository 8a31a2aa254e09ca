/** What the replica suggestion for one tier is computed from. */
export interface SuggestReplicasInput {
  /** Jobs waiting for or held by this tier's workers (waiting, prioritized, delayed, active). */
  backlog: number;
  /** Jobs one replica completed per minute lately; 0 or undefined when nothing was observed. */
  completedPerMinutePerReplica?: number | undefined;
  currentReplicas: number;
  /** The backlog should drain within this long; 60 s by default. */
  targetDrainSeconds?: number;
  /** 1 by default. */
  min?: number;
  /** 20 by default. */
  max?: number;
  /** Per-replica rate assumed when none was observed, e.g. `concurrency * 60000 / callTimeoutMs`. */
  fallbackPerMinutePerReplica: number;
}

export interface ReplicaSuggestion {
  replicas: number;
  reason: string;
}

const DEFAULTS = { targetDrainSeconds: 60, min: 1, max: 20 };

const isPositive = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n) && n > 0;

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * How many replicas a tier needs to drain its backlog within
 * `targetDrainSeconds` at the per-replica rate observed lately (or the
 * fallback rate when none was observed), clamped to [min, max].
 *
 * The observed rate is what replicas did, not what they could do: replicas
 * that were idle for want of jobs make it low, so after a quiet spell the
 * suggestion errs high (never above `max`).
 */
export function suggestReplicas(input: SuggestReplicasInput): ReplicaSuggestion {
  const targetDrainSeconds = input.targetDrainSeconds ?? DEFAULTS.targetDrainSeconds;
  const min = input.min ?? DEFAULTS.min;
  const max = input.max ?? DEFAULTS.max;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
    throw new RangeError(`expected whole numbers 0 <= min <= max, got min ${min} and max ${max}`);
  }
  if (!(Number.isFinite(targetDrainSeconds) && targetDrainSeconds > 0)) {
    throw new RangeError(`expected targetDrainSeconds > 0, got ${targetDrainSeconds}`);
  }

  const backlog = Number.isFinite(input.backlog) ? Math.max(0, Math.ceil(input.backlog)) : 0;
  const change = (replicas: number): string =>
    replicas === input.currentReplicas ? `stay at ${replicas}` : `${replicas > input.currentReplicas ? 'up' : 'down'} from ${input.currentReplicas}`;
  if (backlog === 0) return { replicas: min, reason: `no backlog: the minimum, ${min} (${change(min)})` };

  const observed = isPositive(input.completedPerMinutePerReplica);
  const rate = observed ? input.completedPerMinutePerReplica : input.fallbackPerMinutePerReplica;
  if (!isPositive(rate)) {
    const replicas = Math.min(max, Math.max(min, input.currentReplicas));
    return { replicas, reason: `backlog ${backlog} but no rate observed or configured: ${change(replicas)}` };
  }

  const perReplicaWithinTarget = (rate * targetDrainSeconds) / 60;
  const needed = Math.ceil(backlog / perReplicaWithinTarget);
  const replicas = Math.min(max, Math.max(min, needed));
  const source = observed ? 'observed' : 'estimated; none observed';
  let reason = `backlog ${backlog} at ${round(rate)}/min per replica (${source}) drains in ${targetDrainSeconds} s with ${needed}`;
  if (needed > max) reason += `; capped at the maximum, ${max}`;
  else if (needed < min) reason += `; raised to the minimum, ${min}`;
  return { replicas, reason: `${reason} (${change(replicas)})` };
}
