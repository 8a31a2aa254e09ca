import { randomBytes } from 'node:crypto';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { fleetSchema, type FleetConfig } from '../../src/config/fleet-schema.js';
import { checkFleetReferences } from '../../src/config/check-fleet-references.js';
import { createBedrockClient, EMULATOR_CREDENTIALS } from '../../src/converse/create-bedrock-client.js';
import { createBedrockModelClient } from '../../src/converse/bedrock-model-client.js';
import type { JobResult, JobState } from '../../src/core/job/job-result.js';
import { priceTable } from '../../src/core/price-table.js';
import { startEmulator, type Emulator } from '../../src/emulator/start-emulator.js';
import { scenarioSchema } from '../../src/emulator/scenario-schema.js';
import { createProducer, type Producer } from '../../src/queue/create-producer.js';
import { createRedisConnection } from '../../src/queue/create-redis-connection.js';
import { createTierWorker, type TierWorker } from '../../src/queue/create-tier-worker.js';
import { createFleetQueues, type FleetQueues } from '../../src/queue/fleet-queues.js';
import type { JobObserver } from '../../src/queue/job-observer.js';
import { removeFleetKeys } from '../../src/queue/remove-fleet-keys.js';
import { readJobResult } from '../../src/queue/read-job-result.js';
import { createBreakerRegistry, type BreakerRegistry } from '../../src/resilience/breaker-registry.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const MODELS = {
  small: ['amazon.nova-micro-v1:0', 'meta.llama3-1-8b-instruct-v1:0'],
  medium: ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
  large: ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'amazon.nova-pro-v1:0'],
} as const;

/** A three-tier fleet with short timings, under a fresh name so each test has its own Redis keys. */
export function testFleetInput(): Record<string, unknown> {
  const tier = (name: keyof typeof MODELS) => ({
    name,
    concurrency: 4,
    callTimeoutMs: 5_000,
    models: MODELS[name].map((id) => ({ id, price: { inputPer1k: 0.001, outputPer1k: 0.002 }, contextWindow: 100_000 })),
    breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 1_000, volumeThreshold: 3, rollingCountTimeoutMs: 10_000 },
    retry: { attemptsPerModel: 1, baseDelayMs: 10, maxDelayMs: 50, jobAttempts: 2 },
  });
  return {
    name: `t-${randomBytes(4).toString('hex')}`,
    tiers: [tier('small'), tier('medium'), tier('large')],
    cascade: { thresholds: { small: 0.7, medium: 0.8 } },
    routing: { primary: MODELS.large[0], fallback: MODELS.medium[0] },
    workers: { lockDurationMs: 2_000, stalledIntervalMs: 1_000, maxStalledCount: 2, shutdownGraceMs: 5_000, throttledPauseMs: 200 },
  };
}

export function parseFleet(input: Record<string, unknown>): FleetConfig {
  const fleet = fleetSchema.parse(input);
  const problems = checkFleetReferences(fleet);
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
  return fleet;
}

export interface FleetHarness {
  fleet: FleetConfig;
  /** The fleet as written, for a fleet file handed to worker processes. */
  fleetInput: Record<string, unknown>;
  emulator: Emulator;
  redis: Redis;
  queues: FleetQueues;
  producer: Producer;
  breakers: BreakerRegistry;
  workers: Map<string, TierWorker>;
  /** Observers the next started workers get (push before startWorker). */
  observers: JobObserver[];
  startWorker(tier: string): Promise<TierWorker>;
  read(id: string): Promise<JobResult | undefined>;
  /** Polls the read model until the job reaches one of `states`. */
  waitFor(id: string, states?: JobState[], timeoutMs?: number): Promise<JobResult>;
  close(): Promise<void>;
}

export interface FleetHarnessOptions {
  /** Changes to the test fleet before it is parsed. */
  fleet?: (input: Record<string, unknown>) => void;
  /** An emulator scenario, as it would be written in a scenario file. */
  scenario?: unknown;
  /** Tiers whose workers start in this process; all by default. */
  workers?: string[];
}

const silent = pino({ level: 'silent' });

/** Real Redis, a private emulator, the real SDK, in-process workers; `close()` removes every key it made. */
export async function startFleetHarness(options: FleetHarnessOptions = {}): Promise<FleetHarness> {
  const input = testFleetInput();
  options.fleet?.(input);
  const fleet = parseFleet(input);
  const emulator = await startEmulator({ fleet, scenario: scenarioSchema.parse(options.scenario ?? {}) });
  const sdk: BedrockRuntimeClient = createBedrockClient({ region: 'us-east-1', endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS });
  const client = createBedrockModelClient({ client: sdk, priceOf: priceTable(fleet.tiers.flatMap((t) => t.models)) });
  const redis = new Redis(REDIS_URL);
  const connection = createRedisConnection(REDIS_URL, 'test-worker');
  const queues = createFleetQueues(fleet, redis);
  const producer = createProducer({ fleet, queues, redis });
  const breakers = createBreakerRegistry({
    settingsFor: (modelId) => (fleet.tiers.find((t) => t.models.some((m) => m.id === modelId)) ?? fleet.tiers[0]!).breaker,
  });
  const workers = new Map<string, TierWorker>();
  const observers: JobObserver[] = [];

  const startWorker = async (name: string): Promise<TierWorker> => {
    const tier = fleet.tiers.find((t) => t.name === name);
    if (tier === undefined) throw new Error(`no tier ${name}`);
    const worker = createTierWorker({ fleet, tier, connection, client, breakers, queues, logger: silent, observers: [...observers] });
    await worker.worker.waitUntilReady();
    workers.set(name, worker);
    return worker;
  };
  for (const name of options.workers ?? fleet.tiers.map((t) => t.name)) await startWorker(name);

  const read = (id: string) => readJobResult({ fleetName: fleet.name, queues, redis }, id);
  const waitFor = async (id: string, states: JobState[] = ['completed', 'failed'], timeoutMs = 15_000): Promise<JobResult> => {
    const deadline = Date.now() + timeoutMs;
    let last: JobResult | undefined;
    while (Date.now() < deadline) {
      last = await read(id);
      if (last !== undefined && states.includes(last.state)) return last;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`job ${id} did not reach ${states.join('/')} in ${timeoutMs} ms; last state ${last?.state ?? 'none'}`);
  };

  return {
    fleet,
    fleetInput: input,
    emulator,
    redis,
    queues,
    producer,
    breakers,
    workers,
    observers,
    startWorker,
    read,
    waitFor,
    async close() {
      await Promise.all([...workers.values()].map((w) => w.close()));
      await queues.close();
      await removeFleetKeys(redis, fleet.name);
      breakers.shutdown();
      redis.disconnect();
      connection.disconnect();
      sdk.destroy();
      await emulator.close();
    },
  };
}
