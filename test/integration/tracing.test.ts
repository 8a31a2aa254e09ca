import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnApiProcess, type ApiProcess } from '../../src/cli/spawn-api-process.js';
import { createFleetQueues } from '../../src/queue/fleet-queues.js';
import { createProducer } from '../../src/queue/create-producer.js';
import { startTracing, type Tracing } from '../../src/telemetry/start-tracing.js';
import { harnessWorkerProcesses } from '../helpers/harness-worker-process.js';
import { MODELS, REDIS_URL, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

/**
 * Traces over real OTLP/HTTP: a producer in this process and worker
 * processes of two tiers export to a receiver here; one cascade job that
 * escalates is one trace, from its enqueue to each tier's run and model call.
 */

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
}
interface Exported {
  service: string;
  span: OtlpSpan;
}

let fleet: FleetHarness | undefined;
let receiver: Server | undefined;
let tracing: Tracing | undefined;
let api: ApiProcess | undefined;
let apiDir: string | undefined;
const workers = harnessWorkerProcesses();

afterEach(async () => {
  await api?.stop('SIGTERM');
  api = undefined;
  if (apiDir !== undefined) rmSync(apiDir, { recursive: true, force: true });
  apiDir = undefined;
  await workers.stopAll();
  await tracing?.shutdown();
  tracing = undefined;
  await fleet?.close();
  fleet = undefined;
  await new Promise((resolve) => (receiver === undefined ? resolve(undefined) : receiver.close(resolve)));
  receiver = undefined;
});

/** An OTLP/HTTP receiver: every span posted to /v1/traces, with its service's name. */
async function startReceiver(): Promise<{ url: string; spans: Exported[] }> {
  const spans: Exported[] = [];
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const resource of payload.resourceSpans) {
          const name = resource.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          const service = typeof name === 'string' ? name : '';
          for (const scope of resource.scopeSpans) for (const span of scope.spans) spans.push({ service, span });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}`, spans };
}

const attribute = (span: OtlpSpan, key: string): unknown => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
};

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('makes one trace of a job, from its enqueue through each tier’s run to its model calls, without its prompt', async () => {
    const otlp = await startReceiver();
    fleet = await startFleetHarness({
      workers: [],
      scenario: {
        defaults: { answer: { mode: 'plausible', confidence: 0.95 } },
        models: { [MODELS.small[0]]: { answer: { rules: [{ match: 'secret', reply: 'Unsure.', confidence: 0.1 }] } } },
      },
    });
    const h = fleet;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    for (const tier of ['small', 'medium']) await workers.start(h, tier, { env });
    // The producer traces too, as the API does.
    tracing = startTracing({ serviceName: 'fleet-api', env });
    if (tracing === undefined) throw new Error('tracing did not start');
    const queues = createFleetQueues(h.fleet, h.redis, { telemetry: tracing.telemetry });
    const producer = createProducer({ fleet: h.fleet, queues, redis: h.redis });
    // Enqueued together, as a batch's are (one bulk add): each job is a trace of its own.
    await producer.enqueuePrepared([
      producer.prepare({ id: 'traced-1', strategy: 'cascade', prompt: 'A secret question.' }),
      producer.prepare({ id: 'traced-2', tier: 'small', prompt: 'Another.' }),
    ]);
    const result = await h.waitFor('traced-1');
    await h.waitFor('traced-2');
    expect(result.state).toBe('completed');
    expect(result.attempts.map((a) => a.tier)).toEqual(['small', 'medium']);
    await queues.close();

    // Spans leave every 100 ms; wait for both model calls' spans.
    const chats = (): Exported[] => otlp.spans.filter(({ span }) => span.name.startsWith('chat '));
    for (let waited = 0; chats().length < 3 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await tracing.shutdown();

    const [small, medium] = [MODELS.small[0], MODELS.medium[0]].map((model) => chats().find(({ span }) => attribute(span, 'gen_ai.request.model') === model));
    expect(small?.service).toBe('fleet-worker');
    expect(medium?.service).toBe('fleet-worker');
    const traceId = small!.span.traceId;
    // One trace: the producer's enqueue, both tiers' runs, both calls.
    const inTrace = otlp.spans.filter(({ span }) => span.traceId === traceId);
    expect(inTrace.some(({ service }) => service === 'fleet-api')).toBe(true);
    expect(medium!.span.traceId).toBe(traceId);
    // Each call is a child of its tier's run of the job.
    for (const call of [small!, medium!]) {
      const parent = inTrace.find(({ span }) => span.spanId === call.span.parentSpanId);
      expect(parent?.service, call.span.name).toBe('fleet-worker');
    }
    expect(small!.span).toMatchObject({ name: `chat ${MODELS.small[0]}`, kind: 3 });
    expect(attribute(small!.span, 'gen_ai.operation.name')).toBe('chat');
    expect(attribute(small!.span, 'fleet.tier')).toBe('small');
    expect(Number(attribute(small!.span, 'gen_ai.usage.output_tokens'))).toBeGreaterThan(0);
    // The whole path, in order of the job's life.
    const names = new Set(inTrace.map(({ service, span }) => `${service}: ${span.name}`));
    for (const name of ['fleet-api: enqueue tier-small', 'fleet-worker: process tier-small', 'fleet-worker: add tier-medium.job', 'fleet-worker: process tier-medium']) expect(names).toContain(name);
    const runOf = (jobId: string): Exported | undefined =>
      otlp.spans.find(({ span }) => span.name === 'process tier-small' && span.attributes.some((a) => a.key === 'bullmq.job.id' && a.value.stringValue === jobId));
    expect(runOf('traced-2')?.span.traceId).toBeDefined();
    expect(runOf('traced-2')?.span.traceId).not.toBe(traceId);
    expect(runOf('traced-1')?.span.traceId).toBe(traceId);
    // BullMQ's upkeep (polling, stalled checks) makes no traces of its own.
    expect(otlp.spans.filter(({ span }) => /^(moveStalledJobsToWait|startStalledCheckTimer|getNextJob) /.test(span.name))).toEqual([]);
    // No prompt, no answer, in any span (BullMQ would record each job's return value).
    expect(JSON.stringify(otlp.spans)).not.toMatch(/secret question|Unsure\.|Emulated answer/i);
    expect(inTrace.some(({ span }) => span.name === 'process tier-medium' && span.attributes.some((a) => a.key === 'bullmq.job.id'))).toBe(true);
  });
});

describe('an API process with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it("makes each request a server span in its caller's trace, with the job it enqueues under it; health probes are not traced", async () => {
    const otlp = await startReceiver();
    fleet = await startFleetHarness({ workers: [], flows: false });
    const h = fleet;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    await workers.start(h, 'small', { env });
    apiDir = mkdtempSync(join(tmpdir(), 'fleet-api-tracing-'));
    writeFileSync(join(apiDir, 'fleet.json'), JSON.stringify(h.fleetInput));
    const key = 'acme-key-0123456789abcdef';
    api = await spawnApiProcess({ port: 0, env: { FLEET_CONFIG: join(apiDir, 'fleet.json'), REDIS_URL, FLEET_API_KEYS: `acme:${key}`, LOG_LEVEL: 'warn', ...env } });

    // The caller's own trace (W3C traceparent): the request continues it.
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', traceparent: `00-${callerTrace}-${callerSpan}-01` };
    const posted = await fetch(`${api.url}/v1/jobs?note=query-not-traced`, { method: 'POST', headers, body: JSON.stringify({ id: 'http-1', tier: 'small', prompt: 'A private question.' }) });
    expect(posted.status).toBe(202);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    // Refused (the caller's mistake, quoted in the answer) and not found: neither is a span error, nor quoted.
    const refused = await fetch(`${api.url}/v1/jobs`, { method: 'POST', headers: { authorization: headers.authorization, 'content-type': 'application/json' }, body: JSON.stringify({ tier: 'SECRET-TIER', prompt: 'Hi.' }) });
    expect(refused.status).toBe(400);
    expect((await fetch(`${api.url}/v1/nowhere`, { headers: { authorization: headers.authorization } })).status).toBe(404);
    expect((await h.waitFor('acme/http-1')).state).toBe('completed');

    const run = (): Exported | undefined => otlp.spans.find(({ span }) => span.name === 'process tier-small' && span.traceId === callerTrace);
    const servers = (): Exported[] => otlp.spans.filter(({ service, span }) => service === 'fleet-api' && span.kind === 2);
    for (let waited = 0; (run() === undefined || servers().length < 2) && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const inTrace = otlp.spans.filter(({ span }) => span.traceId === callerTrace);
    const request = inTrace.find(({ span }) => span.kind === 2);
    expect(request?.service).toBe('fleet-api');
    expect(request?.span.name).toBe('POST /v1/jobs');
    expect(request?.span.parentSpanId).toBe(callerSpan);
    expect(Number(attribute(request!.span, 'http.response.status_code'))).toBe(202);
    expect(attribute(request!.span, 'url.path')).toBe('/v1/jobs');
    // The job's enqueue is the request's child, and its run on the worker is in the same trace.
    const enqueue = inTrace.find(({ span }) => span.name === 'enqueue tier-small');
    expect(enqueue?.span.parentSpanId).toBe(request?.span.spanId);
    expect(run()?.service).toBe('fleet-worker');
    // The refusal: its own span, not an error, with no message.
    const refusal = servers().find(({ span }) => Number(attribute(span, 'http.response.status_code')) === 400);
    expect(refusal?.span.name).toBe('POST /v1/jobs');
    expect(refusal?.span.status?.code ?? 0).not.toBe(2);
    expect(refusal?.span.status?.message ?? '').toBe('');
    // No probe, no hook or handler spans (the 404 handler's included), no prompt, nothing the caller was refused for.
    expect(otlp.spans.filter(({ span }) => /healthz|readyz|notFound|handler/i.test(span.name))).toEqual([]);
    expect(otlp.spans.filter(({ service, span }) => service === 'fleet-api' && span.kind !== 2 && !span.name.startsWith('enqueue ') && !span.name.startsWith('addBulk '))).toEqual([]);
    expect(JSON.stringify(otlp.spans)).not.toMatch(/private question|query-not-traced|SECRET-TIER/);
  });
});
