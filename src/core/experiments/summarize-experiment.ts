import { latencyPercentiles } from '../report/latency-percentiles.js';

/** What the fleet recorded for one variant of an experiment. */
export interface VariantCounters {
  variant: string;
  /** Jobs the variant was given at enqueue. */
  jobs: number;
  completed: number;
  failed: number;
  /** Cost of every attempt of the finished jobs. */
  costUsd: number;
  /** Finished jobs that climbed past their entry tier, or had an attempt escalate. */
  escalated: number;
  /** Completed jobs with a golden answer, and how many of them answered it. */
  goldenJudged: number;
  goldenCorrect: number;
  /** Enqueue-to-finish times of completed jobs (a bounded, recent sample). */
  latenciesMs: readonly number[];
}

export interface VariantFigures {
  costPerJobUsd: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  escalationRate: number | null;
  accuracy: number | null;
}

export interface VariantSummary extends VariantFigures {
  variant: string;
  jobs: number;
  /** Share of the experiment's jobs this variant was given. */
  share: number | null;
  completed: number;
  failed: number;
  /** Given, but not finished yet (or cancelled). */
  pending: number;
  costUsd: number;
  latencySamples: number;
  goldenJudged: number;
  goldenCorrect: number;
  /** This variant's figures minus the first variant's; null where either lacks one. Absent on the first. */
  vsFirst?: VariantFigures;
}

export interface ExperimentSummary {
  name: string;
  variants: VariantSummary[];
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
const minus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

function figures(c: VariantCounters): VariantFigures & { samples: number } {
  const finished = c.completed + c.failed;
  const latency = latencyPercentiles(c.latenciesMs);
  const perJob = ratio(c.costUsd, finished);
  return {
    costPerJobUsd: perJob === null ? null : round(perJob, 8),
    p50Ms: latency.samples === 0 ? null : latency.p50,
    p95Ms: latency.samples === 0 ? null : latency.p95,
    escalationRate: ratio(c.escalated, finished),
    accuracy: ratio(c.goldenCorrect, c.goldenJudged),
    samples: latency.samples,
  };
}

/**
 * An experiment's variants side by side: counts, cost in total and per
 * finished job, p50/p95 enqueue-to-finish latency, escalation rate over
 * finished jobs, accuracy over completed jobs with a golden answer, and each
 * figure's difference from the first variant's. Pure arithmetic.
 */
export function summarizeExperiment(name: string, counters: readonly VariantCounters[]): ExperimentSummary {
  const totalJobs = counters.reduce((sum, c) => sum + c.jobs, 0);
  const all = counters.map((c) => ({ c, f: figures(c) }));
  const first = all[0]?.f;
  const variants = all.map(({ c, f }, i): VariantSummary => {
    const { samples, ...own } = f;
    const summary: VariantSummary = {
      variant: c.variant,
      jobs: c.jobs,
      share: ratio(c.jobs, totalJobs),
      completed: c.completed,
      failed: c.failed,
      pending: Math.max(0, c.jobs - c.completed - c.failed),
      costUsd: round(c.costUsd, 8),
      ...own,
      latencySamples: samples,
      goldenJudged: c.goldenJudged,
      goldenCorrect: c.goldenCorrect,
    };
    if (i === 0 || first === undefined) return summary;
    const costDiff = minus(own.costPerJobUsd, first.costPerJobUsd);
    return {
      ...summary,
      vsFirst: {
        costPerJobUsd: costDiff === null ? null : round(costDiff, 8),
        p50Ms: minus(own.p50Ms, first.p50Ms),
        p95Ms: minus(own.p95Ms, first.p95Ms),
        escalationRate: minus(own.escalationRate, first.escalationRate),
        accuracy: minus(own.accuracy, first.accuracy),
      },
    };
  });
  return { name, variants };
}
