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
import { createContextObservers } from '../../src/queue/create-context-observers.js';
import { createFleetQueues, type FleetQueues } from '../../src/queue/fleet-queues.js';
import type { ObserverSweep } from '../../src/queue/untold-job-sweep.js';
import { createFlowsWorker } from '../../src/queue/flows/create-flows-worker.js';
import type { JobObserver } from '../../src/queue/job-observer.js';
import { removeFleetKeys } from '../../src/queue/remove-fleet-keys.js';
import { readJobResult } from '../../src/queue/read-job-result.js';
import { createModelStatsObserver } from '../../src/queue/routing/create-model-stats-observer.js';
import type { FleetSnapshotSource } from '../../src/queue/routing/fleet-snapshot-source.js';
import { createModelStatsStore } from '../../src/queue/routing/model-stats-store.js';
import { openProducerRouting } from '../../src/queue/routing/open-producer-routing.js';
import { createBreakerRegistry, type BreakerRegistry } from '../../src/resilience/breaker-registry.js';
import { createCachedModelClient } from '../../src/resilience/cached-model-client.js';
import { createMetricsObserver } from '../../src/queue/stats/create-metrics-observer.js';
import type { FleetMetrics } from '../../src/telemetry/fleet-metrics.js';

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
  /** The SDK client the workers call the emulator with (tests may add middleware to see requests). */
  sdk: BedrockRuntimeClient;
  redis: Redis;
  queues: FleetQueues;
  producer: Producer;
  /** The producer's fleet snapshot (breakers, model stats, queue depths), read every 2 s; `refresh()` reads it now. */
  snapshots: FleetSnapshotSource;
  breakers: BreakerRegistry;
  workers: Map<string, TierWorker>;
  /** Observers the next started workers get (push before startWorker). */
  observers: JobObserver[];
  /** Starts a tier's worker; on `queues` (the harness's by default), to see or change what it adds. */
  startWorker(tier: string, queues?: FleetQueues): Promise<TierWorker>;
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
  /** Whether the flows worker (ensembles, pipelines) starts in this process; true by default. */
  flows?: boolean;
  /** The workers' sweep for finished jobs whose observers were never told; the default's timings when unset. */
  observerSweep?: ObserverSweep;
  /** The workers' metrics (each call and throttled pause; each finished job through an observer); none when unset. */
  metrics?: FleetMetrics;
}

const silent = pino({ level: 'silent' });

/** Real Redis, a private emulator, the real SDK, in-process workers; `close()` removes every key it made. */
export async function startFleetHarness(options: FleetHarnessOptions = {}): Promise<FleetHarness> {
  const input = testFleetInput();
  options.fleet?.(input);
  const fleet = parseFleet(input);
  const emulator = await startEmulator({ fleet, scenario: scenarioSchema.parse(options.scenario ?? {}) });
  const sdk: BedrockRuntimeClient = createBedrockClient({ region: 'us-east-1', endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS });
  const bedrock = createBedrockModelClient({ client: sdk, priceOf: priceTable(fleet.tiers.flatMap((t) => t.models)) });
  const redis = new Redis(REDIS_URL);
  // The fleet's `cache` setting decides whether calls are cached (off by default).
  const client = createCachedModelClient({ client: bedrock, redis, fleetName: fleet.name, settings: fleet.cache, logger: silent });
  const connection = createRedisConnection(REDIS_URL, 'test-worker');
  const queues = createFleetQueues(fleet, redis);
  // The configured routers, as the API builds them: the custom module loaded, the snapshot read from Redis.
  const routing = await openProducerRouting({ fleet, redis, queues, logger: silent, alwaysRead: true });
  if (routing.source === undefined) throw new Error('the harness reads the fleet snapshot');
  const producer = createProducer({ fleet, queues, redis, ...routing.deps });
  const breakers = createBreakerRegistry({
    settingsFor: (modelId) => (fleet.tiers.find((t) => t.models.some((m) => m.id === modelId)) ?? fleet.tiers[0]!).breaker,
  });
  const workers = new Map<string, TierWorker>();
  // Conversations and experiments, as every worker process has them.
  const observers: JobObserver[] = [
    ...createContextObservers({ redis, fleet }),
    // Per-(model, task) stats for the adaptive router, as every worker process keeps them.
    createModelStatsObserver({ store: createModelStatsStore({ redis, fleetName: fleet.name }) }),
  ];

  const startWorker = async (name: string, workerQueues: FleetQueues = queues): Promise<TierWorker> => {
    const tier = fleet.tiers.find((t) => t.name === name);
    if (tier === undefined) throw new Error(`no tier ${name}`);
    const sweep = options.observerSweep === undefined ? {} : { observerSweep: options.observerSweep };
    const metrics = options.metrics === undefined ? {} : { metrics: options.metrics };
    const metricsObservers = options.metrics === undefined ? [] : [createMetricsObserver(options.metrics)];
    const worker = createTierWorker({ fleet, tier, connection, client, breakers, queues: workerQueues, logger: silent, observers: [...observers, ...metricsObservers], ...sweep, ...metrics });
    await worker.worker.waitUntilReady();
    workers.set(name, worker);
    return worker;
  };
  for (const name of options.workers ?? fleet.tiers.map((t) => t.name)) await startWorker(name);
  // Ensemble and pipeline parents; it tells the observers as they are when a flow ends.
  const flowsWorker = options.flows === false ? undefined : createFlowsWorker({ fleet, connection, queues, logger: silent, observers, ...(options.observerSweep === undefined ? {} : { observerSweep: options.observerSweep }) });
  await flowsWorker?.worker.waitUntilReady();

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
    sdk,
    redis,
    queues,
    producer,
    snapshots: routing.source,
    breakers,
    workers,
    observers,
    startWorker,
    read,
    waitFor,
    async close() {
      await Promise.all([...workers.values()].map((w) => w.close()));
      await flowsWorker?.close();
      routing.close();
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
