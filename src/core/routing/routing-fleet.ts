import type { Price } from '../price.js';

/** What the routers read of one model of the fleet. */
export interface RoutingModel {
  id: string;
  price: Price;
  contextWindow: number;
  /** A quality rating in [0, 1]; unrated models meet only a zero minimum. */
  quality?: number | undefined;
  /** A typical p50 latency in ms, used until measurements exist. */
  latencyMs?: number | undefined;
}

/**
 * The parts of the fleet the routers read: tiers in order, cheapest first,
 * each with its models. The config layer's FleetConfig satisfies it.
 */
export interface RoutingFleet {
  tiers: readonly { name: string; models: readonly RoutingModel[] }[];
}

/** The name of the first tier that lists `model`. */
export function tierOfModel(fleet: RoutingFleet, model: string): string | undefined {
  return fleet.tiers.find((t) => t.models.some((m) => m.id === model))?.name;
}
