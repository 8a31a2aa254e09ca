import CircuitBreaker from 'opossum';
import { tripsBreaker } from '../core/error-kind.js';
import { ModelCallError } from '../core/model-call-error.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Same field names as a tier's `breaker` in the fleet config. */
export interface BreakerSettings {
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  volumeThreshold: number;
  rollingCountTimeoutMs: number;
}

export interface BreakerRegistryOptions {
  settingsFor(modelId: string): BreakerSettings;
  now?: () => number;
  onStateChange?: (modelId: string, state: BreakerState) => void;
}

export interface BreakerRegistry {
  /** Runs `call` through the model's breaker; rejects with a breaker-open error when it is open. */
  run<T>(modelId: string, call: () => Promise<T>): Promise<T>;
  state(modelId: string): BreakerState;
  /** Epoch ms when an open breaker lets a trial call through; undefined unless open. */
  retryAt(modelId: string): number | undefined;
  states(): Record<string, BreakerState>;
  /** Shuts every breaker down and clears their timers. */
  shutdown(): void;
}

type Call = () => Promise<unknown>;

interface Entry {
  breaker: CircuitBreaker<[Call], unknown>;
  resetTimeoutMs: number;
  openedAt: number | undefined;
}

/** True for the rejection of a call refused because the breaker is open (or half-open and busy). */
export function isBreakerOpenError(err: unknown): boolean {
  return (
    err instanceof Error &&
    !(err instanceof ModelCallError) &&
    'code' in err &&
    err.code === 'EOPENBREAKER'
  );
}

/** Only classified `transient`-like failures count against a model; other errors are bugs and count too. */
function ignoredByBreaker(err: unknown): boolean {
  return err instanceof ModelCallError && !tripsBreaker(err.kind);
}

function stateOf(breaker: CircuitBreaker<[Call], unknown>): BreakerState {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half-open';
  return 'closed';
}

/** One opossum breaker per model per process, created on first use. */
export function createBreakerRegistry(options: BreakerRegistryOptions): BreakerRegistry {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function entryFor(modelId: string): Entry {
    const existing = entries.get(modelId);
    if (existing) return existing;
    const settings = options.settingsFor(modelId);
    const breaker: CircuitBreaker<[Call], unknown> = new CircuitBreaker<[Call], unknown>((fn: Call) => fn(), {
      name: modelId,
      // The call enforces its own time limit (a timeout is a `transient` ModelCallError).
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingCountTimeoutMs,
      // An ignored error passes as a success in opossum, which would close a half-open breaker on a trial call
      // that proved nothing (cancelled, throttled, a bad request): on a trial call it counts, and the breaker opens again.
      errorFilter: (err: unknown) => ignoredByBreaker(err) && !breaker.halfOpen,
    });
    const entry: Entry = { breaker, resetTimeoutMs: settings.resetTimeoutMs, openedAt: undefined };
    breaker.on('open', () => {
      entry.openedAt = now();
      options.onStateChange?.(modelId, 'open');
    });
    breaker.on('halfOpen', () => {
      entry.openedAt = undefined;
      options.onStateChange?.(modelId, 'half-open');
    });
    breaker.on('close', () => {
      entry.openedAt = undefined;
      options.onStateChange?.(modelId, 'closed');
    });
    entries.set(modelId, entry);
    return entry;
  }

  return {
    async run<T>(modelId: string, call: () => Promise<T>): Promise<T> {
      return (await entryFor(modelId).breaker.fire(call)) as T;
    },
    state(modelId) {
      const entry = entries.get(modelId);
      return entry ? stateOf(entry.breaker) : 'closed';
    },
    retryAt(modelId) {
      const entry = entries.get(modelId);
      if (!entry?.breaker.opened || entry.openedAt === undefined) return undefined;
      return entry.openedAt + entry.resetTimeoutMs;
    },
    states() {
      return Object.fromEntries([...entries].map(([id, entry]) => [id, stateOf(entry.breaker)]));
    },
    shutdown() {
      for (const entry of entries.values()) entry.breaker.shutdown();
      entries.clear();
    },
  };
}
