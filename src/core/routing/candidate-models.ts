import { costOf } from '../price.js';
import type { RoutableJob } from './routable-job.js';
import type { RoutingFleet, RoutingModel } from './routing-fleet.js';

/** A model a router may pick, with where it sits in the fleet and what the job would cost on it. */
export interface Candidate {
  model: RoutingModel;
  tier: string;
  /** The tier's position, 0 for the cheapest tier. */
  tierRank: number;
  /** Estimated USD of the job on this model. */
  cost: number;
}

/** The job's estimated cost on a model, from its estimated input and expected output tokens. */
export function estimateCost(job: RoutableJob, model: RoutingModel): number {
  return costOf({ inputTokens: job.inputTokens, outputTokens: job.expectedOutputTokens }, model.price);
}

/**
 * Every model a router may pick for the job, in fleet order: those of the
 * job's tier when it has one, whose context window holds the estimated
 * input and output. Breaker states are the caller's to weigh.
 */
export function candidateModels(fleet: RoutingFleet, job: RoutableJob): Candidate[] {
  const needed = job.inputTokens + job.expectedOutputTokens;
  return fleet.tiers.flatMap((tier, tierRank) =>
    job.tier !== undefined && tier.name !== job.tier
      ? []
      : tier.models
          .filter((model) => model.contextWindow >= needed)
          .map((model) => ({ model, tier: tier.name, tierRank, cost: estimateCost(job, model) })),
  );
}

/** `$0.000123` with enough digits to tell cheap models apart. */
export function formatUsd(usd: number): string {
  return `$${usd.toPrecision(3)}`;
}
