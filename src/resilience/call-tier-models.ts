import { setTimeout as delay } from 'node:timers/promises';
import type { Attempt } from '../core/job/attempt.js';
import { ModelCallError } from '../core/model-call-error.js';
import type { ModelClient } from '../core/model-client.js';
import type { ModelRequest } from '../core/model-request.js';
import type { ModelResult } from '../core/model-result.js';
import { backoffDelay } from '../core/retry/backoff-delay.js';
import { isBreakerOpenError, type BreakerRegistry } from './breaker-registry.js';
import { TierCallError, type TierCallFailureReason } from './tier-call-error.js';

export interface TierCallInput {
  tier: {
    name: string;
    models: readonly { id: string }[];
    callTimeoutMs: number;
    retry: { attemptsPerModel: number; baseDelayMs: number; maxDelayMs: number };
  };
  request: Omit<ModelRequest, 'modelId'>;
  /** Tried first when it is one of the tier's models (ignored otherwise); the rest keep their order. */
  preferredModel?: string;
  /** Use `converseStream` instead of `converse`. */
  stream?: boolean;
  signal?: AbortSignal;
  /** How long to wait when every model is throttled. */
  throttledPauseMs: number;
}

export interface TierCallDeps {
  client: ModelClient;
  breakers: BreakerRegistry;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface TierAnswer {
  result: ModelResult;
  model: string;
  /** True when an earlier model of the tier failed or was skipped. */
  fallback: boolean;
  /** Every failed or skipped call before the answer, in order. */
  failures: Attempt[];
}

/** How a model's last call ended, for choosing between `all-throttled` and `exhausted`. */
type LastFailure = 'throttled' | 'breaker-open' | 'other';

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal });
}

/** The tier's model ids, the preferred one (when it belongs to the tier) first. */
export function orderModels(models: readonly { id: string }[], preferred?: string): string[] {
  const ids = models.map((model) => model.id);
  if (preferred === undefined || !ids.includes(preferred)) return ids;
  return [preferred, ...ids.filter((id) => id !== preferred)];
}

/**
 * Gets one answer from a tier: each model in order (the preferred first),
 * through its circuit breaker, retrying transient failures on the same model
 * with backoff and falling back to the next model otherwise.
 * See ARCHITECTURE.md, "Errors".
 */
export async function callTierModels(deps: TierCallDeps, input: TierCallInput): Promise<TierAnswer> {
  const { client, breakers } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const { tier, request, signal } = input;
  const models = orderModels(tier.models, input.preferredModel);
  const failures: Attempt[] = [];
  const lastFailures = new Map<string, LastFailure>();
  let lastError: ModelCallError | undefined;

  const fail = (reason: TierCallFailureReason, retryAfterMs?: number): TierCallError =>
    new TierCallError({ tier: tier.name, reason, attempts: [...failures], lastError, retryAfterMs });

  for (const [index, model] of models.entries()) {
    const fallback = index > 0;
    for (let tryIndex = 0; ; tryIndex += 1) {
      if (signal?.aborted) throw fail('cancelled');
      const startedAt = now();
      const modelRequest: ModelRequest = { ...request, modelId: model };
      const options = { signal, timeoutMs: tier.callTimeoutMs };
      try {
        const result = await breakers.run(model, () =>
          input.stream ? client.converseStream(modelRequest, options) : client.converse(modelRequest, options),
        );
        return { result, model, fallback, failures };
      } catch (err) {
        if (isBreakerOpenError(err)) {
          failures.push({ tier: tier.name, model, outcome: 'breaker-open', startedAt, latencyMs: 0, costUsd: 0, fallback });
          lastFailures.set(model, 'breaker-open');
          if (signal?.aborted) throw fail('cancelled');
          break;
        }
        if (!(err instanceof ModelCallError)) throw err;
        lastError = err;
        failures.push({
          tier: tier.name,
          model,
          outcome: 'error',
          startedAt,
          latencyMs: Math.max(0, now() - startedAt),
          costUsd: 0,
          error: { kind: err.kind, code: err.code, message: err.message },
          fallback,
        });
        lastFailures.set(model, err.kind === 'throttled' ? 'throttled' : 'other');
        if (err.kind === 'cancelled' || signal?.aborted) throw fail('cancelled');
        if (err.kind === 'invalid-request' || err.kind === 'context-window') throw fail('unrecoverable');
        if (err.kind !== 'transient' || tryIndex + 1 >= tier.retry.attemptsPerModel) break;
        // A transient failure with tries left: back off, then the same model again.
        const { baseDelayMs, maxDelayMs } = tier.retry;
        const wait = backoffDelay({ retry: tryIndex, baseDelayMs, maxDelayMs, random });
        try {
          await sleep(wait, signal);
        } catch (sleepError) {
          if (signal?.aborted) throw fail('cancelled');
          throw sleepError;
        }
      }
    }
  }

  const lasts = models.map((model) => lastFailures.get(model));
  if (lasts.length > 0 && lasts.every((last) => last === 'throttled' || last === 'breaker-open')) {
    throw fail('all-throttled', retryAfter(models, lastFailures, breakers, input.throttledPauseMs, now()));
  }
  throw fail('exhausted');
}

/**
 * The soonest a model of the tier may answer again: the pause for a throttled
 * model, the time left before an open breaker's trial call (the pause again
 * when the breaker is half-open with its trial in flight). At least 1 ms.
 */
function retryAfter(
  models: readonly string[],
  lastFailures: ReadonlyMap<string, LastFailure>,
  breakers: BreakerRegistry,
  throttledPauseMs: number,
  at: number,
): number {
  const waits = models.map((model) => {
    if (lastFailures.get(model) !== 'breaker-open') return throttledPauseMs;
    const retryAt = breakers.retryAt(model);
    return retryAt === undefined ? throttledPauseMs : Math.max(0, retryAt - at);
  });
  return Math.max(1, Math.min(...waits));
}
