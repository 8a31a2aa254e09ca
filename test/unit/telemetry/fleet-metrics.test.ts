import { MeterProvider, MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../../../src/core/model-call-error.js';
import type { ModelClient } from '../../../src/core/model-client.js';
import type { ModelRequest } from '../../../src/core/model-request.js';
import type { ModelResult } from '../../../src/core/model-result.js';
import { createMetricsObserver } from '../../../src/queue/stats/create-metrics-observer.js';
import { CANCEL_REASON } from '../../../src/queue/cancel-job.js';
import type { TierJobData } from '../../../src/queue/tier-job-data.js';
import { createFleetMetrics } from '../../../src/telemetry/fleet-metrics.js';
import { createMeteredModelClient } from '../../../src/telemetry/metered-model-client.js';
import { makeAttempt } from '../../helpers/attempt-fixture.js';

/** Reads what the instruments hold, on demand. */
class ReadOnDemand extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setup() {
  const reader = new ReadOnDemand();
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = createFleetMetrics(provider.getMeter('test'));
  const read = async (name: string): Promise<DataPoint<unknown>[]> => {
    const { resourceMetrics } = await reader.collect();
    const metric: MetricData | undefined = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []);
  };
  return { metrics, read };
}

const MODEL = 'amazon.nova-micro-v1:0';
const request: ModelRequest = { modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hi.' }] }] };
const answer = (extra: Partial<ModelResult> = {}): ModelResult => ({
  text: 'Hello.',
  stopReason: 'end_turn',
  usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
  costUsd: 0.002,
  latencyMs: 250,
  requestedModelId: MODEL,
  answeredModelId: MODEL,
  toolUses: [],
  streamed: false,
  ...extra,
});

/** A client whose calls answer or throw as scripted, one outcome per call. */
function scripted(outcomes: (ModelResult | Error)[]): ModelClient {
  const next = (): Promise<ModelResult> => {
    const outcome = outcomes.shift();
    if (outcome === undefined) throw new Error('no more scripted outcomes');
    return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
  };
  return { converse: next, converseStream: next };
}

const callError = (kind: 'throttled' | 'cancelled'): ModelCallError => new ModelCallError({ kind, code: kind, message: kind, modelId: MODEL });

describe('the metered model client', () => {
  it('records an answered call’s duration, tokens and cost (with its tenant), and a failed one under its error kind', async () => {
    const { metrics, read } = setup();
    let clock = 1_000;
    const client = createMeteredModelClient({ client: scripted([answer(), callError('throttled')]), metrics, tierOf: () => 'small', now: () => (clock += 40) });
    await client.converse(request, { tenant: 'acme' });
    await expect(client.converseStream(request, { tenant: 'acme' })).rejects.toThrow(ModelCallError);

    const durations = await read('gen_ai.client.operation.duration');
    expect(durations.map((p) => [p.attributes['error.type'], (p.value as { count: number; sum: number }).count, (p.value as { sum: number }).sum])).toEqual([
      [undefined, 1, 0.25],
      ['throttled', 1, 0.04],
    ]);
    expect(durations[0]?.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': MODEL, 'fleet.tier': 'small' });
    const tokens = await read('gen_ai.client.token.usage');
    expect(tokens.map((p) => [p.attributes['gen_ai.token.type'], (p.value as { sum: number }).sum])).toEqual([['input', 12], ['output', 3]]);
    const cost = await read('fleet.model.cost_usd');
    expect(cost.map((p) => [p.attributes['fleet.tenant'], p.value])).toEqual([['acme', 0.002]]);
  });

  it('counts a cache hit as such, not as a call, and leaves out a call cut off by a cancel', async () => {
    const { metrics, read } = setup();
    const inner = scripted([answer({ cached: true, costUsd: 0 }), callError('cancelled')]);
    inner.cachedAnswer = () => Promise.resolve(answer({ cached: true, costUsd: 0 }));
    const client = createMeteredModelClient({ client: inner, metrics, tierOf: () => 'small' });
    await client.converse(request);
    await client.cachedAnswer?.(request, false);
    await expect(client.converse(request)).rejects.toThrow('cancelled');

    expect(await read('gen_ai.client.operation.duration')).toEqual([]);
    expect((await read('fleet.model.cache_hits')).map((p) => p.value)).toEqual([2]);
  });

  it('names a failure the adapter did not classify _OTHER', async () => {
    const { metrics, read } = setup();
    const client = createMeteredModelClient({ client: scripted([new TypeError('boom')]), metrics, tierOf: () => '' });
    await expect(client.converse(request)).rejects.toThrow('boom');
    expect((await read('gen_ai.client.operation.duration')).map((p) => p.attributes['error.type'])).toEqual(['_OTHER']);
  });
});

describe('the metrics observer', () => {
  const data = (attempts: TierJobData['attempts']): TierJobData => ({
    id: 'acme/j-1',
    tenant: 'acme',
    task: 'default',
    strategy: 'cascade',
    tags: {},
    metadata: {},
    request: { messages: [], system: [] },
    route: { tier: 'small', path: ['small', 'medium', 'large'], reason: 'test' },
    path: ['small', 'medium', 'large'],
    enqueuedAt: 10_000,
    attempts,
  });

  it('counts the job by entry tier, state and tenant, its time from enqueue, and each tier that sent it up', async () => {
    const { metrics, read } = setup();
    const attempts = [makeAttempt('small', MODEL, 'escalated'), makeAttempt('medium', MODEL, 'escalated'), makeAttempt('large', MODEL, 'accepted')];
    await createMetricsObserver(metrics).finished({ data: data([]), state: 'completed', outcome: { answer: {} as never, attempts, tiers: ['small', 'medium', 'large'] }, finishedAt: 13_500 });

    expect((await read('fleet.jobs.ended')).map((p) => [p.attributes, p.value])).toEqual([
      [{ 'fleet.entry_tier': 'small', 'fleet.job.state': 'completed', 'fleet.tenant': 'acme' }, 1],
    ]);
    expect((await read('fleet.job.duration_seconds')).map((p) => (p.value as { sum: number }).sum)).toEqual([3.5]);
    expect((await read('fleet.escalations')).map((p) => [p.attributes['fleet.tier'], p.value])).toEqual([['small', 1], ['medium', 1]]);
  });

  it('counts a job its client cancelled as cancelled, not failed', async () => {
    const { metrics, read } = setup();
    await createMetricsObserver(metrics).finished({ data: data([]), state: 'failed', failedReason: CANCEL_REASON, finishedAt: 10_100 });
    expect((await read('fleet.jobs.ended')).map((p) => p.attributes['fleet.job.state'])).toEqual(['cancelled']);
  });
});
