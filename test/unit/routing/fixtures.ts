import type { FleetSnapshot } from '../../../src/core/routing/fleet-snapshot.js';
import type { RoutableJob } from '../../../src/core/routing/routable-job.js';
import type { RoutingFleet } from '../../../src/core/routing/routing-fleet.js';

/**
 * A hand-built fleet. At 1,000 input and 500 output tokens a job costs
 * $0.0002 on small.cheap, $0.0004 on small.alt, $0.0016 on medium.b,
 * $0.002 on medium.a, $0.0105 on large.a and $0.0175 on large.b.
 */
export const FLEET: RoutingFleet = {
  tiers: [
    {
      name: 'small',
      models: [
        { id: 'small.cheap', price: { inputPer1k: 0.0001, outputPer1k: 0.0002 }, contextWindow: 8_000, quality: 0.4, latencyMs: 300 },
        { id: 'small.alt', price: { inputPer1k: 0.0002, outputPer1k: 0.0004 }, contextWindow: 32_000, quality: 0.5, latencyMs: 250 },
      ],
    },
    {
      name: 'medium',
      models: [
        { id: 'medium.a', price: { inputPer1k: 0.001, outputPer1k: 0.002 }, contextWindow: 200_000, quality: 0.75, latencyMs: 900 },
        { id: 'medium.b', price: { inputPer1k: 0.0008, outputPer1k: 0.0016 }, contextWindow: 200_000, quality: 0.65, latencyMs: 700 },
      ],
    },
    {
      name: 'large',
      models: [
        { id: 'large.a', price: { inputPer1k: 0.003, outputPer1k: 0.015 }, contextWindow: 200_000, quality: 0.92, latencyMs: 2_500 },
        { id: 'large.b', price: { inputPer1k: 0.005, outputPer1k: 0.025 }, contextWindow: 200_000, quality: 0.95, latencyMs: 4_000 },
      ],
    },
  ],
};

/** A job of 1,000 input and 500 expected output tokens; override what a test is about. */
export function job(overrides: Partial<RoutableJob> = {}): RoutableJob {
  return {
    task: 'general',
    tenant: 'default',
    tags: {},
    metadata: {},
    text: 'hello',
    inputChars: 5,
    inputTokens: 1_000,
    hasImage: false,
    expectedOutputTokens: 500,
    ...overrides,
  };
}

/** A snapshot with nothing known, plus what a test sets. */
export function snapshot(overrides: Partial<FleetSnapshot> = {}): FleetSnapshot {
  return { breakers: {}, stats: {}, queueDepth: {}, ...overrides };
}
