import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, userText, type Harness } from '../helpers/emulator-harness.js';
import { createBedrockClient, EMULATOR_CREDENTIALS } from '../../src/converse/create-bedrock-client.js';
import { createBedrockModelClient } from '../../src/converse/bedrock-model-client.js';
import { spawnEmulatorProcess } from '../../src/emulator/spawn-emulator-process.js';

const MODEL = 'amazon.nova-micro-v1:0';
const SCENARIO = fileURLToPath(new URL('../../examples/scenarios/cascade.yaml', import.meta.url));

describe('the control endpoint', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness('http2');
  });
  afterEach(async () => {
    await h.close();
  });

  const control = (path: string, init?: RequestInit) => fetch(`${h.emulator.url}/__emulator${path}`, init);

  it('changes faults at run time and counts calls per model and per outcome', async () => {
    const put = await control(`/models/${encodeURIComponent(MODEL)}`, {
      method: 'PUT',
      body: JSON.stringify({ faults: { ThrottlingException: 1 } }),
    });
    expect(put.status).toBe(200);
    await expect(h.models.converse({ modelId: MODEL, messages: userText('a') })).rejects.toMatchObject({ kind: 'throttled' });

    await control('/overrides', { method: 'DELETE' });
    await h.models.converse({ modelId: MODEL, messages: userText('b') });
    await h.models.converse({ modelId: 'amazon.nova-lite-v1:0', messages: userText('c') });

    const stats = (await (await control('/stats')).json()) as {
      models: Record<string, { calls: number; outcomes: Record<string, number> }>;
      totals: { calls: number };
    };
    expect(stats.models[MODEL]).toMatchObject({ calls: 2, outcomes: { ThrottlingException: 1, ok: 1 } });
    expect(stats.models['amazon.nova-lite-v1:0']).toMatchObject({ calls: 1, outcomes: { ok: 1 } });
    expect(stats.totals.calls).toBe(3);

    await control('/reset', { method: 'POST' });
    expect(((await (await control('/stats')).json()) as { totals: { calls: number } }).totals.calls).toBe(0);
  });

  it('changes latency at run time and shows the resolved behaviour', async () => {
    await control('/models/*', { method: 'PUT', body: JSON.stringify({ latency: { baseMs: 120 } }) });
    const behaviour = (await (await control(`/models/${encodeURIComponent(MODEL)}`)).json()) as {
      latency: { baseMs: number };
    };
    expect(behaviour.latency.baseMs).toBe(120);
    const result = await h.models.converse({ modelId: MODEL, messages: userText('slow') });
    expect(result.latencyMs).toBeGreaterThanOrEqual(115);
  });

  it('refuses a behaviour it does not understand, naming the field', async () => {
    const put = await control(`/models/${encodeURIComponent(MODEL)}`, {
      method: 'PUT',
      body: JSON.stringify({ faults: { ThrottlingException: 3 } }),
    });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { message: string }).message).toContain('faults.ThrottlingException');
  });

  it('repeats the same faults for the same seed', async () => {
    const outcomes = async (): Promise<string[]> => {
      const run = await startHarness('http1', { scenario: undefined });
      run.emulator.state.override(MODEL, { faults: { ThrottlingException: 0.5 } });
      const seen: string[] = [];
      for (let i = 0; i < 20; i++) {
        seen.push(
          await run.models.converse({ modelId: MODEL, messages: userText(`q${i}`) }).then(
            () => 'ok',
            (e: { kind: string }) => e.kind,
          ),
        );
      }
      await run.close();
      return seen;
    };
    const first = await outcomes();
    expect(first).toContain('ok');
    expect(first).toContain('throttled');
    expect(await outcomes()).toEqual(first);
  });
});

describe('fleet emulator, standalone', () => {
  it('serves the real SDK from its own process with a scenario file and stops on SIGTERM', async () => {
    const emulator = await spawnEmulatorProcess({ scenarioFile: SCENARIO });
    try {
      const client = createBedrockClient({ region: 'us-east-1', endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS });
      const models = createBedrockModelClient({ client, priceOf: () => ({ inputPer1k: 0, outputPer1k: 0 }) });
      const result = await models.converse({ modelId: MODEL, messages: userText('this is a hard one') });
      expect(result.text).toBe('I am not sure; it might be 42.\nConfidence: 0.30');
      client.destroy();
    } finally {
      expect(await emulator.stop()).toBe(0);
    }
  });
});
