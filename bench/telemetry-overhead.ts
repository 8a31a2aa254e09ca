/**
 * What the fleet's telemetry costs per model call, in CPU: the call path
 * wrapped for metrics (OpenTelemetry instruments read by the Prometheus
 * exporter) and for tracing (a span per call, exported in batches by an
 * in-memory exporter here, so no network is measured), against the same
 * path unwrapped. The wrapped client answers at once: only the wrappers'
 * own work is timed. Each tenant label is one of 20, as a fleet's would be.
 *
 *   npm run bench:telemetry -- [--calls 200000] [--rounds 3] [--out bench/results/telemetry-overhead.json]
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ModelClient } from '../src/core/model-client.js';
import type { ModelRequest } from '../src/core/model-request.js';
import type { ModelResult } from '../src/core/model-result.js';
import { createFleetMetrics } from '../src/telemetry/fleet-metrics.js';
import { createMeteredModelClient } from '../src/telemetry/metered-model-client.js';
import { createTracedModelClient } from '../src/telemetry/traced-model-client.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/telemetry-overhead.json' },
  },
});
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);

const result: ModelResult = {
  text: 'An answer.',
  stopReason: 'end_turn',
  usage: { inputTokens: 420, outputTokens: 60, totalTokens: 480 },
  costUsd: 0.00042,
  latencyMs: 180,
  requestedModelId: 'amazon.nova-micro-v1:0',
  answeredModelId: 'amazon.nova-micro-v1:0',
  toolUses: [],
  streamed: false,
};
const answering: ModelClient = { converse: () => Promise.resolve(result), converseStream: () => Promise.resolve(result) };
const request = { modelId: 'amazon.nova-micro-v1:0', messages: [] } as unknown as ModelRequest;
const tierOf = (): string => 'small';

const metrics = createFleetMetrics(new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] }).getMeter('bench'));
const spans = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans, { maxQueueSize: 4096, maxExportBatchSize: 1024, scheduledDelayMillis: 100 })] });
tracerProvider.register();
const tracer = tracerProvider.getTracer('bench');
// The exporter keeps what it gets: empty it now and then, as a collector would take it.
const drain = setInterval(() => spans.reset(), 200);

const clients: Record<string, ModelClient> = {
  plain: answering,
  metrics: createMeteredModelClient({ client: answering, metrics, tierOf }),
  tracing: createTracedModelClient({ client: answering, tracer, tierOf }),
  both: createMeteredModelClient({ client: createTracedModelClient({ client: answering, tracer, tierOf }), metrics, tierOf }),
};

async function cpuPerCall(client: ModelClient): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i += 1) await client.converse(request, { tenant: `tenant-${String(i % 20)}` });
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / CALLS; // ns per call
}

const runs: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, client] of Object.entries(clients)) (runs[name] ??= []).push(Math.round(await cpuPerCall(client)));
}
clearInterval(drain);
await tracerProvider.shutdown();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const plain = median(runs.plain ?? []);
const summary = Object.fromEntries(Object.entries(runs).map(([name, ns]) => [name, { medianNsPerCall: median(ns), overheadUsPerCall: Math.round((median(ns) - plain) / 10) / 100, runs: ns }]));
for (const [name, s] of Object.entries(summary)) console.log(`${name.padEnd(8)} ${String(s.medianNsPerCall).padStart(7)} ns CPU per call (${s.overheadUsPerCall} µs over plain)`);
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '', calls: CALLS, rounds: ROUNDS, clients: summary }, null, 2)}\n`);
console.log(`written to ${values.out}`);
