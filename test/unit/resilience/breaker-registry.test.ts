import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorKind } from '../../../src/core/error-kind.js';
import { ModelCallError } from '../../../src/core/model-call-error.js';
import {
  createBreakerRegistry,
  isBreakerOpenError,
  type BreakerRegistry,
  type BreakerSettings,
  type BreakerState,
} from '../../../src/resilience/breaker-registry.js';

const MODEL = 'amazon.nova-micro-v1:0';

const SETTINGS: BreakerSettings = {
  errorThresholdPercentage: 50,
  resetTimeoutMs: 50,
  volumeThreshold: 3,
  rollingCountTimeoutMs: 10_000,
};

function failure(kind: ErrorKind, code = 'SomeException'): ModelCallError {
  return new ModelCallError({ kind, code, message: `${kind} failure`, modelId: MODEL });
}

let registries: BreakerRegistry[] = [];

function makeRegistry(settings: Partial<BreakerSettings> = {}, now?: () => number) {
  const changes: [string, BreakerState][] = [];
  const registry = createBreakerRegistry({
    settingsFor: () => ({ ...SETTINGS, ...settings }),
    now,
    onStateChange: (modelId, state) => changes.push([modelId, state]),
  });
  registries.push(registry);
  return { registry, changes };
}

/** Runs a call that fails with `err` and swallows the rejection. */
async function failOnce(registry: BreakerRegistry, err: Error, modelId = MODEL): Promise<unknown> {
  return registry.run(modelId, () => Promise.reject(err)).catch((caught: unknown) => caught);
}

afterEach(() => {
  for (const registry of registries) registry.shutdown();
  registries = [];
});

describe('createBreakerRegistry', () => {
  it('reports a never-used model as closed, with no retry time', () => {
    const { registry } = makeRegistry();
    expect(registry.state(MODEL)).toBe('closed');
    expect(registry.retryAt(MODEL)).toBeUndefined();
    expect(registry.states()).toEqual({});
  });

  it('passes the call result through and creates one breaker per model on first use', async () => {
    const { registry } = makeRegistry();
    await expect(registry.run(MODEL, () => Promise.resolve(42))).resolves.toBe(42);
    await expect(registry.run('amazon.nova-lite-v1:0', () => Promise.resolve('x'))).resolves.toBe('x');
    expect(registry.states()).toEqual({ [MODEL]: 'closed', 'amazon.nova-lite-v1:0': 'closed' });
  });

  it('passes a failure through unchanged', async () => {
    const { registry } = makeRegistry();
    const err = failure('transient');
    await expect(failOnce(registry, err)).resolves.toBe(err);
  });

  it.each<ErrorKind>(['throttled', 'invalid-request', 'context-window', 'model-unavailable', 'cancelled'])(
    'never opens on %s failures',
    async (kind) => {
      const { registry, changes } = makeRegistry({ volumeThreshold: 1 });
      for (let i = 0; i < 20; i += 1) await failOnce(registry, failure(kind));
      expect(registry.state(MODEL)).toBe('closed');
      expect(changes).toEqual([]);
    },
  );

  it('opens on transient failures once the volume threshold is reached', async () => {
    let clock = 1_000;
    const { registry, changes } = makeRegistry({ volumeThreshold: 3, resetTimeoutMs: 5_000 }, () => clock);
    await failOnce(registry, failure('transient'));
    await failOnce(registry, failure('transient'));
    expect(registry.state(MODEL)).toBe('closed');
    clock = 1_250;
    await failOnce(registry, failure('transient'));
    expect(registry.state(MODEL)).toBe('open');
    expect(registry.retryAt(MODEL)).toBe(6_250);
    expect(changes).toEqual([[MODEL, 'open']]);

    const call = vi.fn(() => Promise.resolve('never'));
    const rejection = await registry.run(MODEL, call).catch((caught: unknown) => caught);
    expect(isBreakerOpenError(rejection)).toBe(true);
    expect(call).not.toHaveBeenCalled();
  });

  it('counts errors that are not ModelCallErrors as failures', async () => {
    const { registry } = makeRegistry({ volumeThreshold: 2 });
    await failOnce(registry, new TypeError('bug'));
    await failOnce(registry, new TypeError('bug'));
    expect(registry.state(MODEL)).toBe('open');
  });

  it('stays closed while the error rate is under the threshold', async () => {
    const { registry } = makeRegistry({ volumeThreshold: 2, errorThresholdPercentage: 50 });
    await registry.run(MODEL, () => Promise.resolve(1));
    await registry.run(MODEL, () => Promise.resolve(2));
    await failOnce(registry, failure('transient'));
    expect(registry.state(MODEL)).toBe('closed');
  });

  it('half-opens after the reset timeout and closes on a successful trial call', async () => {
    const { registry, changes } = makeRegistry({ volumeThreshold: 1, resetTimeoutMs: 50 });
    await failOnce(registry, failure('transient'));
    expect(registry.state(MODEL)).toBe('open');
    await vi.waitFor(() => expect(registry.state(MODEL)).toBe('half-open'), { timeout: 1_000, interval: 5 });
    expect(registry.retryAt(MODEL)).toBeUndefined();

    // While the trial call is in flight, other calls are refused.
    let finishTrial: (value: string) => void = () => undefined;
    const trial = registry.run(MODEL, () => new Promise<string>((resolve) => (finishTrial = resolve)));
    const refused = await registry.run(MODEL, () => Promise.resolve('no')).catch((caught: unknown) => caught);
    expect(isBreakerOpenError(refused)).toBe(true);

    finishTrial('yes');
    await expect(trial).resolves.toBe('yes');
    expect(registry.state(MODEL)).toBe('closed');
    expect(changes.map(([, state]) => state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again when the trial call fails', async () => {
    const { registry } = makeRegistry({ volumeThreshold: 1, resetTimeoutMs: 50 });
    await failOnce(registry, failure('transient'));
    await vi.waitFor(() => expect(registry.state(MODEL)).toBe('half-open'), { timeout: 1_000, interval: 5 });
    await failOnce(registry, failure('transient'));
    expect(registry.state(MODEL)).toBe('open');
    expect(registry.retryAt(MODEL)).toBeTypeOf('number');
  });

  it.each(['cancelled', 'throttled', 'invalid-request'] as const)('opens again when the trial call ends %s: it proves nothing about the model', async (kind) => {
    const { registry } = makeRegistry({ volumeThreshold: 1, resetTimeoutMs: 50 });
    await failOnce(registry, failure('transient'));
    await vi.waitFor(() => expect(registry.state(MODEL)).toBe('half-open'), { timeout: 1_000, interval: 5 });
    await failOnce(registry, failure(kind));
    expect(registry.state(MODEL)).toBe('open');
  });

  it('keeps breakers apart per model', async () => {
    const { registry } = makeRegistry({ volumeThreshold: 1 });
    await failOnce(registry, failure('transient'));
    await registry.run('amazon.nova-lite-v1:0', () => Promise.resolve(1));
    expect(registry.states()).toEqual({ [MODEL]: 'open', 'amazon.nova-lite-v1:0': 'closed' });
  });

  it('forgets every breaker on shutdown', async () => {
    const { registry } = makeRegistry({ volumeThreshold: 1, resetTimeoutMs: 60_000 });
    await failOnce(registry, failure('transient'));
    expect(registry.state(MODEL)).toBe('open');
    registry.shutdown();
    expect(registry.states()).toEqual({});
    expect(registry.state(MODEL)).toBe('closed');
  });
});

describe('isBreakerOpenError', () => {
  it('recognizes only the breaker-open rejection', () => {
    expect(isBreakerOpenError(Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' }))).toBe(true);
    expect(isBreakerOpenError(new Error('boom'))).toBe(false);
    expect(isBreakerOpenError(failure('transient', 'EOPENBREAKER'))).toBe(false);
    expect(isBreakerOpenError({ code: 'EOPENBREAKER' })).toBe(false);
    expect(isBreakerOpenError(undefined)).toBe(false);
  });
});
