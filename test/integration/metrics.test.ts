import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { observeFleetGauges } from '../../src/queue/stats/observe-fleet-gauges.js';
import { createFleetQueues } from '../../src/queue/fleet-queues.js';
import { createBreakerStatePublisher } from '../../src/resilience/breaker-state-publisher.js';
import { createFleetMetrics } from '../../src/telemetry/fleet-metrics.js';
import { startMetricsServer, type MetricsServer } from '../../src/telemetry/start-metrics-server.js';
import { familiesOf, parseSamples, sumOf } from '../helpers/prometheus-text.js';
import { spawnApiProcess, type ApiProcess } from '../../src/cli/spawn-api-process.js';
import { harnessWorkerProcesses } from '../helpers/harness-worker-process.js';
import { MODELS, REDIS_URL, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

/**
 * The Prometheus metrics, scraped over HTTP: a real worker process's (calls,
 * jobs, throttled pauses) and the API's fleet-wide gauges read from Redis;
 * and the shipped alert rules, which must use only metrics the fleet serves.
 */

const silent = pino({ level: 'silent' });
let fleet: FleetHarness | undefined;
let server: MetricsServer | undefined;
const workers = harnessWorkerProcesses();
const apis: ApiProcess[] = [];
const apiDirs: string[] = [];

afterEach(async () => {
  await workers.stopAll();
  await Promise.all(apis.splice(0).map((api) => api.stop('SIGKILL')));
  for (const dir of apiDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await server?.close();
  server = undefined;
  await fleet?.close();
  fleet = undefined;
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

describe('a worker process with FLEET_METRICS_PORT', () => {
  it('serves its calls, tokens, cost, ended jobs and throttled pauses at GET /metrics', async () => {
    fleet = await startFleetHarness({ workers: [] });
    const h = fleet;
    const port = await freePort();
    await workers.start(h, 'small', { env: { FLEET_METRICS_PORT: String(port), FLEET_METRICS_HOST: '127.0.0.1' } });

    // Every model of the tier throttled: the queue pauses (no attempt spent); then the throttling ends.
    for (const model of MODELS.small) h.emulator.state.override(model, { faults: { ThrottlingException: 1 } });
    await h.producer.enqueue({ id: 'm-throttled', tenant: 'acme', tier: 'small', prompt: 'Hello.' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    h.emulator.state.clearOverrides();
    for (const id of ['m-1', 'm-2']) await h.producer.enqueue({ id, tenant: 'acme', tier: 'small', prompt: 'Hello.' });
    for (const id of ['m-throttled', 'm-1', 'm-2']) expect((await h.waitFor(`acme/${id}`)).state).toBe('completed');

    const text = await scrape(`http://127.0.0.1:${String(port)}/metrics`);
    const samples = parseSamples(text);
    const calls = (labels: Record<string, string>) => sumOf(samples, 'gen_ai_client_operation_duration_count', { 'gen_ai_provider_name': 'aws.bedrock', ...labels });
    const emulatorCalls = MODELS.small.reduce((sum, model) => sum + (h.emulator.state.stats.snapshot().models[model]?.calls ?? 0), 0);
    const throttled = calls({ error_type: 'throttled' });
    // Every call the emulator saw is counted once: three answered, the rest throttled.
    expect(throttled).toBeGreaterThanOrEqual(2);
    expect(calls({})).toBe(emulatorCalls);
    expect(calls({}) - throttled).toBe(3);
    expect(sumOf(samples, 'fleet_jobs_ended_total', { fleet_entry_tier: 'small', fleet_job_state: 'completed', fleet_tenant: 'acme' })).toBe(3);
    expect(sumOf(samples, 'fleet_job_duration_seconds_count', { fleet_entry_tier: 'small' })).toBe(3);
    expect(sumOf(samples, 'fleet_tier_throttled_pauses_total', { fleet_tier: 'small' })).toBeGreaterThanOrEqual(1);
    const results = await Promise.all(['m-throttled', 'm-1', 'm-2'].map((id) => h.read(`acme/${id}`)));
    const cost = results.reduce((sum, r) => sum + (r?.costUsd ?? 0), 0);
    expect(sumOf(samples, 'fleet_model_cost_usd_total', { fleet_tenant: 'acme' })).toBeCloseTo(cost, 9);
    const outputTokens = results.reduce((sum, r) => sum + (r?.attempts.reduce((s, a) => s + (a.usage?.outputTokens ?? 0), 0) ?? 0), 0);
    expect(sumOf(samples, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'output' })).toBe(outputTokens);
    // The process says who it is.
    expect(sumOf(samples, 'target_info', { service_name: 'fleet-worker', fleet_tier: 'small', fleet_name: h.fleet.name })).toBe(1);
    // Nothing else is served on the port.
    expect((await fetch(`http://127.0.0.1:${String(port)}/`)).status).toBe(404);
  });
});

describe('an API process with FLEET_METRICS_PORT', () => {
  it('serves the fleet-wide gauges, and counts a waiting job it cancels (no worker hears of that one)', async () => {
    fleet = await startFleetHarness({ workers: [], flows: false });
    const h = fleet;
    const dir = mkdtempSync(join(tmpdir(), 'fleet-api-metrics-'));
    apiDirs.push(dir);
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(h.fleetInput));
    const port = await freePort();
    const key = 'acme-key-0123456789abcdef';
    const api = await spawnApiProcess({
      port: 0,
      env: { FLEET_CONFIG: join(dir, 'fleet.json'), REDIS_URL, FLEET_API_KEYS: `acme:${key}`, LOG_LEVEL: 'warn', FLEET_METRICS_PORT: String(port), FLEET_METRICS_HOST: '127.0.0.1' },
    });
    apis.push(api);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const posted = await fetch(`${api.url}/v1/jobs`, { method: 'POST', headers, body: JSON.stringify({ id: 'waits-1', tier: 'large', prompt: 'Hi.' }) });
    expect(posted.status).toBe(202);
    const cancelled = await fetch(`${api.url}/v1/jobs/waits-1`, { method: 'DELETE', headers: { authorization: headers.authorization } });
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');

    const samples = parseSamples(await scrape(`http://127.0.0.1:${String(port)}/metrics`));
    expect(sumOf(samples, 'fleet_jobs_ended_total', { fleet_entry_tier: 'large', fleet_job_state: 'cancelled', fleet_tenant: 'acme' })).toBe(1);
    expect(sumOf(samples, 'fleet_queue_workers', { fleet_queue: 'large' })).toBe(0);
    expect(sumOf(samples, 'fleet_redis_up')).toBe(1);
    expect(sumOf(samples, 'target_info', { service_name: 'fleet-api', fleet_name: h.fleet.name })).toBe(1);
  });
});

describe('the API process’s fleet-wide gauges', () => {
  it('report jobs per queue and state, live workers, a throttled pause and the worst breaker state, read from Redis', async () => {
    fleet = await startFleetHarness({ workers: ['small'], flows: false });
    const h = fleet;
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', serviceName: 'fleet-api' });
    observeFleetGauges({ meter: server.meter, fleet: h.fleet, queues: h.queues, redis: h.redis, logger: silent });
    // A busy tier is not a paused one: each job a worker takes opens the limiter's one-second window.
    for (const id of ['busy-1', 'busy-2', 'busy-3']) await h.producer.enqueue({ id, tier: 'small', prompt: 'Hi.' });
    for (const id of ['busy-1', 'busy-2', 'busy-3']) await h.waitFor(id);
    expect(sumOf(parseSamples(await scrape(server.url)), 'fleet_queue_throttle_remaining_seconds', { fleet_queue: 'small' })).toBe(0);
    // Two jobs waiting on medium (no worker), the small tier paused for throttling, one model's breaker open in a worker.
    for (const id of ['g-1', 'g-2']) await h.producer.enqueue({ id, tier: 'medium', prompt: 'Hi.' });
    await h.queues.queue('small').rateLimit(30_000);
    const publisher = createBreakerStatePublisher({ redis: h.redis, fleetName: h.fleet.name, tier: 'medium', processId: 'test:1' });
    await publisher.publish(MODELS.medium[0], 'open');

    const samples = parseSamples(await scrape(server.url));
    expect(sumOf(samples, 'fleet_queue_jobs', { fleet_queue: 'medium', fleet_job_state: 'waiting' })).toBe(2);
    expect(sumOf(samples, 'fleet_queue_jobs', { fleet_queue: 'small', fleet_job_state: 'waiting' })).toBe(0);
    expect(sumOf(samples, 'fleet_queue_workers', { fleet_queue: 'small' })).toBe(1);
    expect(sumOf(samples, 'fleet_queue_workers', { fleet_queue: 'medium' })).toBe(0);
    const pause = sumOf(samples, 'fleet_queue_throttle_remaining_seconds', { fleet_queue: 'small' });
    expect(pause).toBeGreaterThan(25);
    expect(pause).toBeLessThanOrEqual(30);
    expect(sumOf(samples, 'fleet_queue_throttle_remaining_seconds', { fleet_queue: 'medium' })).toBe(0);
    expect(sumOf(samples, 'fleet_breaker_state', { gen_ai_request_model: MODELS.medium[0], fleet_tier: 'medium' })).toBe(2);
    expect(sumOf(samples, 'fleet_redis_up')).toBe(1);
  });

  it('report Redis down (fleet_redis_up 0) when it does not answer, and the other gauges not at all', async () => {
    fleet = await startFleetHarness({ workers: [], flows: false });
    const h = fleet;
    // A Redis nobody runs: commands fail once the connection gives up on them.
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const queues = createFleetQueues(h.fleet, dead);
    for (const queue of [...queues.all(), queues.flows]) queue.on('error', () => undefined);
    try {
      server = await startMetricsServer({ port: 0, host: '127.0.0.1', serviceName: 'fleet-api' });
      observeFleetGauges({ meter: server.meter, fleet: h.fleet, queues, redis: dead, logger: silent });
      const samples = parseSamples(await scrape(server.url));
      expect(sumOf(samples, 'fleet_redis_up')).toBe(0);
      expect(samples.filter((s) => s.name === 'fleet_queue_jobs')).toEqual([]);
    } finally {
      await queues.close().catch(() => undefined);
      dead.disconnect();
    }
  });
});

describe('the shipped alert rules (deploy/prometheus/fleet-alerts.yaml)', () => {
  interface Rule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: string };
    annotations: { summary: string };
  }
  const rules = (parse(readFileSync(new URL('../../deploy/prometheus/fleet-alerts.yaml', import.meta.url), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

  it('use only metrics the fleet serves, each rule with a severity and a summary', async () => {
    // Every instrument a worker records and every gauge the API reads, once each, scraped from one server.
    fleet = await startFleetHarness({ workers: [], flows: false });
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', serviceName: 'fleet-all' });
    observeFleetGauges({ meter: server.meter, fleet: fleet.fleet, queues: fleet.queues, redis: fleet.redis, logger: silent });
    const metrics = createFleetMetrics(server.meter);
    metrics.modelCall({ model: MODELS.small[0], tier: 'small', tenant: 'acme', durationMs: 5, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, costUsd: 0.001 });
    metrics.cacheHit(MODELS.small[0], 'small');
    metrics.jobEnded({ entryTier: 'small', state: 'completed', tenant: 'acme', durationMs: 5, escalatedFrom: ['small'] });
    metrics.tierPaused('small');
    metrics.breakerChanged(MODELS.small[0], 'open');
    await createBreakerStatePublisher({ redis: fleet.redis, fleetName: fleet.fleet.name, tier: 'small', processId: 'test:2' }).publish(MODELS.small[0], 'closed');
    const served = familiesOf(await scrape(server.url));

    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      expect(rule.labels.severity, rule.alert).toMatch(/^(page|warn)$/);
      expect(rule.annotations.summary, rule.alert).not.toBe('');
      // Metric names: what is left once label matchers and grouping labels are taken out.
      const metricsOnly = rule.expr.replace(/\b(by|on|without|ignoring)\s*\([^)]*\)/g, '').replace(/\{[^}]*\}/g, '');
      const names = [...metricsOnly.matchAll(/\b((?:fleet|gen_ai)_[a-z_]+)\b/g)].map((m) => m[1]!);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) {
        const family = name.replace(/_(count|sum|bucket)$/, '');
        const known = served.has(name) || (served.get(family) === 'histogram' && family !== name);
        expect(known, `${rule.alert}: ${name}`).toBe(true);
      }
    }
  });
});
