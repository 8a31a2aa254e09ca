import { afterEach, describe, expect, it } from 'vitest';
import type { WindowModel } from '../../../src/core/fallback/window-fallback.js';
import { ModelCallError } from '../../../src/core/model-call-error.js';
import type { ModelClient } from '../../../src/core/model-client.js';
import type { ModelRequest } from '../../../src/core/model-request.js';
import type { ModelResult, StopReason } from '../../../src/core/model-result.js';
import { createBreakerRegistry, type BreakerRegistry } from '../../../src/resilience/breaker-registry.js';
import { callTierModels, type TierCallDeps, type TierCallInput } from '../../../src/resilience/call-tier-models.js';
import { NoWindowFitsError } from '../../../src/resilience/no-window-fits-error.js';
import { TierCallError } from '../../../src/resilience/tier-call-error.js';

const MICRO = 'amazon.nova-micro-v1:0';
const LLAMA = 'meta.llama3-1-8b-instruct-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const PRO = 'amazon.nova-pro-v1:0';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

type Outcome = { text?: string; stopReason?: StopReason; costUsd?: number } | ModelCallError;

/** Answers each call with the next scripted outcome and records the model and the request's first text. */
class ScriptedClient implements ModelClient {
  readonly calls: { modelId: string; text: string }[] = [];
  constructor(private readonly script: Outcome[]) {}

  get models(): string[] {
    return this.calls.map((call) => call.modelId);
  }

  converse(request: ModelRequest): Promise<ModelResult> {
    const first = request.messages[0]?.content[0];
    this.calls.push({ modelId: request.modelId, text: first !== undefined && 'text' in first ? String(first.text) : '' });
    const outcome = this.script.shift();
    if (outcome === undefined) return Promise.reject(new Error(`no scripted outcome for call ${String(this.calls.length)}`));
    if (outcome instanceof ModelCallError) return Promise.reject(outcome);
    return Promise.resolve({
      text: outcome.text ?? `from ${request.modelId}`,
      stopReason: outcome.stopReason ?? 'end_turn',
      usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
      costUsd: outcome.costUsd ?? 0.0001,
      latencyMs: 20,
      requestedModelId: request.modelId,
      answeredModelId: request.modelId,
      toolUses: [],
      streamed: false,
    });
  }

  converseStream(request: ModelRequest): Promise<ModelResult> {
    return this.converse(request);
  }
}

const windowError = (modelId: string) =>
  new ModelCallError({ kind: 'context-window', code: 'ValidationException', message: 'Input is too long for requested model.', modelId });

let registries: BreakerRegistry[] = [];
afterEach(() => {
  for (const registry of registries) registry.shutdown();
  registries = [];
});

function deps(client: ScriptedClient): TierCallDeps & { breakers: BreakerRegistry } {
  const breakers = createBreakerRegistry({
    settingsFor: () => ({ errorThresholdPercentage: 50, resetTimeoutMs: 1_000, volumeThreshold: 100, rollingCountTimeoutMs: 10_000 }),
  });
  registries.push(breakers);
  return { client, breakers, sleep: () => Promise.resolve(), random: () => 0.5 };
}

const price = (inputPer1k: number) => ({ inputPer1k, outputPer1k: inputPer1k * 2 });
const FLEET: WindowModel[] = [
  { id: MICRO, contextWindow: 100, price: price(0.01) },
  { id: LLAMA, contextWindow: 200, price: price(0.02) },
  { id: HAIKU, contextWindow: 1_000, price: price(0.1) },
  { id: PRO, contextWindow: 5_000, price: price(0.8) },
  { id: SONNET, contextWindow: 20_000, price: price(3) },
];

/** A request of about `tokens` tokens (four characters each). */
const textOf = (tokens: number) => 'x'.repeat(tokens * 4);

function input(tokens: number, over: Partial<TierCallInput> = {}): TierCallInput {
  return {
    tier: {
      name: 'small',
      models: FLEET.slice(0, 2),
      callTimeoutMs: 5_000,
      retry: { attemptsPerModel: 2, baseDelayMs: 10, maxDelayMs: 20 },
    },
    request: { messages: [{ role: 'user', content: [{ text: textOf(tokens) }] }] },
    throttledPauseMs: 500,
    fleetModels: FLEET,
    ...over,
  };
}

async function rejection(promise: Promise<unknown>): Promise<TierCallError> {
  const caught = await promise.then(() => undefined, (err: unknown) => err);
  if (!(caught instanceof TierCallError)) throw new Error(`expected a TierCallError, got ${String(caught)}`);
  return caught;
}

describe('callTierModels: context window', () => {
  it('skips a tier model too small for the input without calling it, and records why', async () => {
    const client = new ScriptedClient([{}]);
    const got = await callTierModels(deps(client), input(150));
    expect(client.models).toEqual([LLAMA]);
    expect(got).toMatchObject({ model: LLAMA, fallback: true });
    expect(got.failures).toEqual([
      expect.objectContaining({ model: MICRO, outcome: 'skipped', costUsd: 0, latencyMs: 0, fallback: false }),
    ]);
    expect(got.failures[0]?.note).toMatch(/about 150 tokens, exceeds its context window of 100/);
  });

  it('goes to the cheapest fleet model whose window fits when no tier model does', async () => {
    const client = new ScriptedClient([{}]);
    const got = await callTierModels(deps(client), input(900));
    expect(client.models).toEqual([HAIKU]);
    expect(got).toMatchObject({ model: HAIKU, fallback: true });
    expect(got.failures.map((f) => [f.model, f.outcome])).toEqual([
      [MICRO, 'skipped'],
      [LLAMA, 'skipped'],
    ]);
    expect(got.failures[1]?.note).toMatch(/context-window fallback: anthropic\.claude-3-haiku.*cheapest fleet model/);
  });

  it('never falls back to an excluded model (one that voted for the job already)', async () => {
    const client = new ScriptedClient([{}]);
    const got = await callTierModels(deps(client), input(900, { exclude: [HAIKU] }));
    expect(client.models).not.toContain(HAIKU);
    expect(got.model).not.toBe(HAIKU);
  });

  it('uses the configured context-window fallback when it fits', async () => {
    const client = new ScriptedClient([{}]);
    const got = await callTierModels(deps(client), input(900, { fallbacks: { contextWindow: SONNET } }));
    expect(got.model).toBe(SONNET);
    expect(got.failures[1]?.note).toMatch(/configured context-window fallback/);
  });

  it('moves on after a context-window error from a call (the estimate was low), then falls back beyond the tier', async () => {
    const client = new ScriptedClient([windowError(MICRO), windowError(LLAMA), windowError(HAIKU), {}]);
    const got = await callTierModels(deps(client), input(50));
    expect(client.models).toEqual([MICRO, LLAMA, HAIKU, PRO]);
    expect(got.model).toBe(PRO);
    expect(got.failures.map((f) => [f.model, f.outcome, f.error?.kind])).toEqual([
      [MICRO, 'error', 'context-window'],
      [LLAMA, 'error', 'context-window'],
      [HAIKU, 'error', 'context-window'],
    ]);
  });

  it('fails unrecoverably, naming the estimate and the largest window, when nothing fits', async () => {
    const client = new ScriptedClient([]);
    const err = await rejection(callTierModels(deps(client), input(30_000)));
    expect(err).toBeInstanceOf(NoWindowFitsError);
    expect(err.reason).toBe('unrecoverable');
    expect(err.message).toMatch(/about 30000 tokens.*largest window is 20000 tokens \(us\.anthropic\.claude-sonnet/);
    expect(client.calls).toEqual([]);
    expect(err.attempts.map((a) => a.outcome)).toEqual(['skipped', 'skipped']);
  });

  it('without fleet models, fails when the tier cannot take the input, naming the tier\'s largest window', async () => {
    const client = new ScriptedClient([]);
    const tierOnly = input(500);
    delete tierOnly.fleetModels;
    const err = await rejection(callTierModels(deps(client), tierOnly));
    expect(err.message).toMatch(/about 500 tokens.*largest window is 200 tokens \(meta\.llama/);
  });

  it('still reports all-throttled when the models that fit are throttled (a window skip is not a failure)', async () => {
    const throttled = new ModelCallError({ kind: 'throttled', code: 'ThrottlingException', message: 'slow down', modelId: LLAMA });
    const client = new ScriptedClient([throttled]);
    const err = await rejection(callTierModels(deps(client), input(150)));
    expect(err.reason).toBe('all-throttled');
    expect(err.retryAfterMs).toBe(500);
  });

  it('checks the window against the request each model gets (its family variant)', async () => {
    const client = new ScriptedClient([{}]);
    // The default request fits MICRO; the amazon variant does not, the meta one does.
    const requestFor = (id: string) =>
      id === MICRO ? { messages: [{ role: 'user' as const, content: [{ text: textOf(150) }] }] } : undefined;
    const got = await callTierModels(deps(client), input(50, { requestFor }));
    expect(got.model).toBe(LLAMA);
    expect(got.failures[0]).toMatchObject({ model: MICRO, outcome: 'skipped' });
  });
});

describe('callTierModels: content policy', () => {
  it('asks the configured model once more after a content filter, recording the refused call', async () => {
    const client = new ScriptedClient([{ stopReason: 'content_filtered', text: 'Blocked.', costUsd: 0.0002 }, { text: 'A careful answer.' }]);
    const got = await callTierModels(deps(client), input(10, { fallbacks: { contentPolicy: SONNET } }));
    expect(client.models).toEqual([MICRO, SONNET]);
    expect(got).toMatchObject({ model: SONNET, fallback: true });
    expect(got.result.text).toBe('A careful answer.');
    expect(got.failures).toEqual([
      expect.objectContaining({ model: MICRO, outcome: 'refused', stopReason: 'content_filtered', costUsd: 0.0002, fallback: false }),
    ]);
    expect(got.failures[0]?.note).toMatch(/content-policy fallback/);
  });

  it('does not ask an excluded fallback (it voted already): the refused answer is the answer', async () => {
    const client = new ScriptedClient([{ stopReason: 'content_filtered' }]);
    const got = await callTierModels(deps(client), input(10, { fallbacks: { contentPolicy: SONNET }, exclude: [SONNET] }));
    expect(client.models).toEqual([MICRO]);
    expect(got).toMatchObject({ model: MICRO, result: { stopReason: 'content_filtered' } });
  });

  it('retries only once: a second refusal is the answer', async () => {
    const client = new ScriptedClient([{ stopReason: 'guardrail_intervened' }, { stopReason: 'guardrail_intervened' }]);
    const got = await callTierModels(deps(client), input(10, { fallbacks: { contentPolicy: SONNET } }));
    expect(client.models).toEqual([MICRO, SONNET]);
    expect(got.model).toBe(SONNET);
    expect(got.result.stopReason).toBe('guardrail_intervened');
  });

  it('keeps today\'s behaviour without the setting: the refused answer is the answer', async () => {
    const client = new ScriptedClient([{ stopReason: 'content_filtered' }]);
    const got = await callTierModels(deps(client), input(10));
    expect(got).toMatchObject({ model: MICRO, fallback: false, failures: [] });
    expect(got.result.stopReason).toBe('content_filtered');
  });

  it('keeps the refused answer when the fallback model fails', async () => {
    const unavailable = new ModelCallError({ kind: 'model-unavailable', code: 'AccessDeniedException', message: 'no access', modelId: SONNET });
    const client = new ScriptedClient([{ stopReason: 'content_filtered' }, unavailable]);
    const got = await callTierModels(deps(client), input(10, { fallbacks: { contentPolicy: SONNET } }));
    expect(got.model).toBe(MICRO);
    expect(got.result.stopReason).toBe('content_filtered');
    expect(got.failures.map((f) => [f.model, f.outcome])).toEqual([[SONNET, 'error']]);
  });

  it('calls the fallback model through its own breaker', async () => {
    const client = new ScriptedClient([{ stopReason: 'content_filtered' }, { text: 'ok' }]);
    const d = deps(client);
    await callTierModels(d, input(10, { fallbacks: { contentPolicy: SONNET } }));
    expect(Object.keys(d.breakers.states()).sort()).toEqual([MICRO, SONNET].sort());
  });
});
