import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorKind } from '../../../src/core/error-kind.js';
import { ModelCallError } from '../../../src/core/model-call-error.js';
import type { ModelClient } from '../../../src/core/model-client.js';
import type { CallOptions, ModelRequest } from '../../../src/core/model-request.js';
import type { ModelResult } from '../../../src/core/model-result.js';
import { backoffDelay } from '../../../src/core/retry/backoff-delay.js';
import {
  createBreakerRegistry,
  type BreakerRegistry,
  type BreakerSettings,
} from '../../../src/resilience/breaker-registry.js';
import { callTierModels, type TierCallDeps, type TierCallInput } from '../../../src/resilience/call-tier-models.js';
import { TierCallError } from '../../../src/resilience/tier-call-error.js';

const MICRO = 'amazon.nova-micro-v1:0';
const LITE = 'amazon.nova-lite-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

type Outcome = ModelResult | ModelCallError | Error;

/** Answers each call with the next scripted outcome and records what was asked. */
class ScriptedClient implements ModelClient {
  readonly calls: { modelId: string; streamed: boolean; options: CallOptions | undefined }[] = [];
  private readonly script: Outcome[];

  constructor(...script: Outcome[]) {
    this.script = script;
  }

  get models(): string[] {
    return this.calls.map((call) => call.modelId);
  }

  converse(request: ModelRequest, options?: CallOptions): Promise<ModelResult> {
    return this.next(request, options, false);
  }

  converseStream(request: ModelRequest, options?: CallOptions): Promise<ModelResult> {
    return this.next(request, options, true);
  }

  private next(request: ModelRequest, options: CallOptions | undefined, streamed: boolean): Promise<ModelResult> {
    this.calls.push({ modelId: request.modelId, streamed, options });
    const outcome = this.script.shift();
    if (outcome === undefined) return Promise.reject(new Error(`no scripted outcome for call ${String(this.calls.length)}`));
    if (outcome instanceof Error) return Promise.reject(outcome);
    return Promise.resolve({ ...outcome, requestedModelId: request.modelId, answeredModelId: request.modelId, streamed });
  }
}

function answer(text = 'Paris.'): ModelResult {
  return {
    text,
    stopReason: 'end_turn',
    usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
    costUsd: 0.0001,
    latencyMs: 20,
    requestedModelId: 'scripted',
    answeredModelId: 'scripted',
    toolUses: [],
    streamed: false,
  };
}

const CODES: Record<ErrorKind, string> = {
  throttled: 'ThrottlingException',
  transient: 'ServiceUnavailableException',
  'context-window': 'ValidationException',
  'invalid-request': 'ValidationException',
  'model-unavailable': 'ResourceNotFoundException',
  cancelled: 'AbortError',
};

function failure(kind: ErrorKind, modelId = 'scripted'): ModelCallError {
  return new ModelCallError({ kind, code: CODES[kind], message: `${kind} failure`, modelId });
}

const BREAKER: BreakerSettings = {
  errorThresholdPercentage: 50,
  resetTimeoutMs: 50,
  volumeThreshold: 100,
  rollingCountTimeoutMs: 10_000,
};

let registries: BreakerRegistry[] = [];

afterEach(() => {
  for (const registry of registries) registry.shutdown();
  registries = [];
});

function setup(client: ScriptedClient, options: { breaker?: Partial<BreakerSettings>; now?: () => number } = {}) {
  const breakers = createBreakerRegistry({ settingsFor: () => ({ ...BREAKER, ...options.breaker }), now: options.now });
  registries.push(breakers);
  const delays: number[] = [];
  const deps: TierCallDeps = {
    client,
    breakers,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    now: options.now,
  };
  return { deps, breakers, delays };
}

function input(overrides: Partial<TierCallInput> = {}, attemptsPerModel = 1): TierCallInput {
  return {
    tier: {
      name: 'small',
      models: [{ id: MICRO }, { id: LITE }, { id: HAIKU }],
      callTimeoutMs: 5_000,
      retry: { attemptsPerModel, baseDelayMs: 100, maxDelayMs: 150 },
    },
    request: { messages: [{ role: 'user', content: [{ text: 'Capital of France?' }] }] },
    throttledPauseMs: 1_000,
    ...overrides,
  };
}

async function tierError(promise: Promise<unknown>): Promise<TierCallError> {
  const caught = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(caught instanceof TierCallError)) throw new Error(`expected a TierCallError, got ${String(caught)}`);
  return caught;
}

describe('callTierModels', () => {
  it('answers from the primary on the first try', async () => {
    const client = new ScriptedClient(answer('Paris.'));
    const { deps } = setup(client);
    const got = await callTierModels(deps, input());
    expect(got).toMatchObject({ model: MICRO, fallback: false, failures: [] });
    expect(got.result.text).toBe('Paris.');
    expect(client.calls).toEqual([{ modelId: MICRO, streamed: false, options: { signal: undefined, timeoutMs: 5_000 } }]);
  });

  it('streams when asked to', async () => {
    const client = new ScriptedClient(answer());
    const { deps } = setup(client);
    const got = await callTierModels(deps, input({ stream: true }));
    expect(got.result.streamed).toBe(true);
    expect(client.calls[0]?.streamed).toBe(true);
  });

  it('falls back to the next model at once when the primary is throttled', async () => {
    const client = new ScriptedClient(failure('throttled', MICRO), answer());
    const { deps, delays } = setup(client);
    const got = await callTierModels(deps, input({}, 3));
    expect(got.model).toBe(LITE);
    expect(got.fallback).toBe(true);
    expect(client.models).toEqual([MICRO, LITE]);
    expect(delays).toEqual([]);
    expect(got.failures).toHaveLength(1);
    expect(got.failures[0]).toMatchObject({
      tier: 'small',
      model: MICRO,
      outcome: 'error',
      costUsd: 0,
      fallback: false,
      error: { kind: 'throttled', code: 'ThrottlingException', message: 'throttled failure' },
    });
  });

  it('falls back at once when a model is unavailable', async () => {
    const client = new ScriptedClient(failure('model-unavailable'), answer());
    const { deps, delays } = setup(client);
    const got = await callTierModels(deps, input({}, 3));
    expect(got).toMatchObject({ model: LITE, fallback: true });
    expect(delays).toEqual([]);
  });

  it('retries a transient failure attemptsPerModel times with backoff, then moves on', async () => {
    const client = new ScriptedClient(failure('transient'), failure('transient'), failure('transient'), answer());
    const { deps, delays } = setup(client);
    const got = await callTierModels(deps, input({}, 3));
    expect(client.models).toEqual([MICRO, MICRO, MICRO, LITE]);
    // random 0.5 × min(150, 100 × 2^retry)
    expect(delays).toEqual([50, 75]);
    expect(got.model).toBe(LITE);
    expect(got.failures.map((f) => [f.model, f.error?.kind, f.fallback])).toEqual([
      [MICRO, 'transient', false],
      [MICRO, 'transient', false],
      [MICRO, 'transient', false],
    ]);
  });

  it('answers from the same model when a retry succeeds, without counting it as a fallback', async () => {
    const client = new ScriptedClient(failure('transient'), answer());
    const { deps } = setup(client);
    const got = await callTierModels(deps, input({}, 2));
    expect(got).toMatchObject({ model: MICRO, fallback: false });
    expect(got.failures).toHaveLength(1);
  });

  // A context-window error moves on to a larger window instead: see call-tier-fallbacks.test.ts.
  it.each<ErrorKind>(['invalid-request'])('stops at once on %s, and never trips the breaker', async (kind) => {
    const client = new ScriptedClient(...Array.from({ length: 10 }, () => failure(kind, MICRO)));
    const { deps, breakers } = setup(client, { breaker: { volumeThreshold: 2 } });
    for (let i = 0; i < 10; i += 1) {
      const err = await tierError(callTierModels(deps, input({}, 3)));
      expect(err.reason).toBe('unrecoverable');
      expect(err.attempts).toHaveLength(1);
      expect(err.lastError?.kind).toBe(kind);
    }
    expect(client.models).toEqual(Array.from({ length: 10 }, () => MICRO));
    expect(breakers.state(MICRO)).toBe('closed');
  });

  it('skips a model whose breaker opened, then lets a trial call through after the reset timeout', async () => {
    const client = new ScriptedClient(
      failure('transient'), answer(), // job 1: MICRO fails, LITE answers
      failure('transient'), answer(), // job 2: MICRO fails again, its breaker opens
      answer('from lite'), //             job 3: MICRO skipped
      answer('from micro'), //            job 4: trial call on MICRO
    );
    const { deps, breakers } = setup(client, { breaker: { volumeThreshold: 2, resetTimeoutMs: 50 } });
    await callTierModels(deps, input());
    await callTierModels(deps, input());
    expect(breakers.state(MICRO)).toBe('open');

    const skipped = await callTierModels(deps, input());
    expect(skipped).toMatchObject({ model: LITE, fallback: true });
    expect(skipped.failures).toEqual([
      expect.objectContaining({ model: MICRO, outcome: 'breaker-open', latencyMs: 0, costUsd: 0, fallback: false }),
    ]);
    expect(client.models).toEqual([MICRO, LITE, MICRO, LITE, LITE]);

    await vi.waitFor(() => expect(breakers.state(MICRO)).toBe('half-open'), { timeout: 1_000, interval: 5 });
    const trial = await callTierModels(deps, input());
    expect(trial).toMatchObject({ model: MICRO, fallback: false, failures: [] });
    expect(trial.result.text).toBe('from micro');
    expect(breakers.state(MICRO)).toBe('closed');
  });

  it('reports all-throttled with the pause when every model is throttled', async () => {
    const client = new ScriptedClient(failure('throttled'), failure('throttled'), failure('throttled'));
    const { deps, delays } = setup(client);
    const err = await tierError(callTierModels(deps, input({ throttledPauseMs: 750 }, 3)));
    expect(err.reason).toBe('all-throttled');
    expect(err.retryAfterMs).toBe(750);
    expect(err.attempts.map((a) => a.model)).toEqual([MICRO, LITE, HAIKU]);
    expect(err.lastError?.kind).toBe('throttled');
    expect(delays).toEqual([]);
    expect(err.message).toContain('tier small');
  });

  it('waits only until the soonest open breaker lets a trial through when that comes first', async () => {
    let clock = 10_000;
    const client = new ScriptedClient(
      failure('transient'), failure('throttled'), // job 1: MICRO's breaker opens, LITE throttled
      failure('throttled'), //                       job 2: MICRO skipped, LITE throttled
    );
    const { deps, breakers } = setup(client, {
      breaker: { volumeThreshold: 1, resetTimeoutMs: 2_000 },
      now: () => clock,
    });
    const tier2 = { ...input().tier, models: [{ id: MICRO }, { id: LITE }] };
    const first = await tierError(callTierModels(deps, input({ tier: tier2 })));
    expect(first.reason).toBe('exhausted');
    expect(breakers.retryAt(MICRO)).toBe(12_000);

    clock = 10_500;
    const err = await tierError(callTierModels(deps, input({ tier: tier2, throttledPauseMs: 5_000 })));
    expect(err.reason).toBe('all-throttled');
    expect(err.attempts.map((a) => a.outcome)).toEqual(['breaker-open', 'error']);
    expect(err.retryAfterMs).toBe(1_500);
    expect(err.message).toContain('breaker open');
  });

  it('reports exhausted when some model failed for another reason than throttling', async () => {
    const client = new ScriptedClient(failure('throttled'), failure('transient'), failure('throttled'));
    const { deps } = setup(client);
    const err = await tierError(callTierModels(deps, input()));
    expect(err.reason).toBe('exhausted');
    expect(err.retryAfterMs).toBeUndefined();
    expect(err.attempts).toHaveLength(3);
    expect(err.message).toBe(
      `every model of tier small failed: ${MICRO} throttled (ThrottlingException), ` +
        `${LITE} transient (ServiceUnavailableException), ${HAIKU} throttled (ThrottlingException)`,
    );
  });

  it('tries the preferred model first and keeps the order of the rest', async () => {
    const client = new ScriptedClient(failure('throttled'), failure('throttled'), answer());
    const { deps } = setup(client);
    const got = await callTierModels(deps, input({ preferredModel: LITE }));
    expect(client.models).toEqual([LITE, MICRO, HAIKU]);
    expect(got).toMatchObject({ model: HAIKU, fallback: true });
    expect(got.failures.map((f) => [f.model, f.fallback])).toEqual([
      [LITE, false],
      [MICRO, true],
    ]);
  });

  it('does not count an answer from the preferred model as a fallback', async () => {
    const client = new ScriptedClient(answer());
    const { deps } = setup(client);
    const got = await callTierModels(deps, input({ preferredModel: HAIKU }));
    expect(got).toMatchObject({ model: HAIKU, fallback: false });
  });

  it('stops at once when the call is cancelled', async () => {
    const client = new ScriptedClient(failure('cancelled'));
    const { deps } = setup(client);
    const err = await tierError(callTierModels(deps, input({}, 3)));
    expect(err.reason).toBe('cancelled');
    expect(client.models).toEqual([MICRO]);
    expect(err.attempts).toHaveLength(1);
  });

  it('makes no call when the signal is already aborted', async () => {
    const client = new ScriptedClient(answer());
    const { deps } = setup(client);
    const err = await tierError(callTierModels(deps, input({ signal: AbortSignal.abort() })));
    expect(err.reason).toBe('cancelled');
    expect(client.calls).toEqual([]);
  });

  it('stops waiting in a backoff when the signal aborts (default sleep)', async () => {
    const client = new ScriptedClient(failure('transient'), answer());
    const { deps } = setup(client);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    const tier = { ...input().tier, retry: { attemptsPerModel: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 } };
    const err = await tierError(
      callTierModels({ ...deps, sleep: undefined, random: () => 0.99 }, input({ tier, signal: controller.signal })),
    );
    expect(err.reason).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.models).toEqual([MICRO]);
  });

  it('passes the signal to the client', async () => {
    const client = new ScriptedClient(answer());
    const { deps } = setup(client);
    const controller = new AbortController();
    await callTierModels(deps, input({ signal: controller.signal }));
    expect(client.calls[0]?.options?.signal).toBe(controller.signal);
  });

  it('rethrows errors that are not ModelCallErrors as they are', async () => {
    const bug = new TypeError('bug in the client');
    const client = new ScriptedClient(bug);
    const { deps } = setup(client);
    await expect(callTierModels(deps, input())).rejects.toBe(bug);
    expect(client.models).toEqual([MICRO]);
  });
});

describe('backoffDelay', () => {
  const base = { baseDelayMs: 200, maxDelayMs: 5_000 };

  it('stays between 0 and the exponential ceiling', () => {
    for (let retry = 0; retry < 10; retry += 1) {
      const ceiling = Math.min(5_000, 200 * 2 ** retry);
      expect(backoffDelay({ ...base, retry, random: () => 0 })).toBe(0);
      const top = backoffDelay({ ...base, retry, random: () => 0.999_999 });
      expect(top).toBeLessThanOrEqual(ceiling);
      expect(top).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it('doubles the ceiling per retry and jitters within it', () => {
    expect([0, 1, 2, 3].map((retry) => backoffDelay({ ...base, retry, random: () => 0.5 }))).toEqual([100, 200, 400, 800]);
  });

  it('caps at maxDelayMs, even for a huge retry number', () => {
    expect(backoffDelay({ ...base, retry: 40, random: () => 0.5 })).toBe(2_500);
    expect(backoffDelay({ ...base, retry: 5_000, random: () => 0.5 })).toBe(2_500);
  });

  it('returns whole milliseconds, and 0 when the base delay is 0', () => {
    expect(Number.isInteger(backoffDelay({ ...base, retry: 1, random: () => 0.123_456 }))).toBe(true);
    expect(backoffDelay({ baseDelayMs: 0, maxDelayMs: 5_000, retry: 3000, random: () => 0.5 })).toBe(0);
  });
});
