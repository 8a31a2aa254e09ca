import { setTimeout as delay } from 'node:timers/promises';
import { estimateRequestTokens } from '../core/estimate-request-tokens.js';
import { contentPolicyRetryModel } from '../core/fallback/content-policy.js';
import { chooseWindowFallback, type WindowModel } from '../core/fallback/window-fallback.js';
import type { Attempt } from '../core/job/attempt.js';
import { ModelCallError } from '../core/model-call-error.js';
import type { ModelClient } from '../core/model-client.js';
import type { ModelRequest } from '../core/model-request.js';
import type { ModelResult } from '../core/model-result.js';
import { backoffDelay } from '../core/retry/backoff-delay.js';
import { isBreakerOpenError, type BreakerRegistry } from './breaker-registry.js';
import { NoWindowFitsError } from './no-window-fits-error.js';
import { refusedAttempt } from './refused-attempt.js';
import { TierCallError, type TierCallFailureReason } from './tier-call-error.js';

export type CallRequest = Omit<ModelRequest, 'modelId'>;

export interface TierCallInput {
  tier: {
    name: string;
    /** With `contextWindow`, a model the request does not fit is skipped without a call. */
    models: readonly { id: string; contextWindow?: number }[];
    callTimeoutMs: number;
    retry: { attemptsPerModel: number; baseDelayMs: number; maxDelayMs: number };
  };
  request: CallRequest;
  /** Tried first when it is one of the tier's models (ignored otherwise); the rest keep their order. */
  preferredModel?: string;
  /** Use `converseStream` instead of `converse`. */
  stream?: boolean;
  signal?: AbortSignal;
  /** How long to wait when every model is throttled. */
  throttledPauseMs: number;
  /** The request for one model (its family's template variant); `request` when unset or undefined. */
  requestFor?: (modelId: string) => CallRequest | undefined;
  /** Every model of the fleet: where a context-window fallback beyond the tier is found. */
  fleetModels?: readonly WindowModel[];
  /** `fallbacks` of the fleet file. */
  fallbacks?: { contextWindow?: string | undefined; contentPolicy?: string | undefined };
  /** The job's tenant: every call's cost counts toward its spend. */
  tenant?: string;
  /** Models not to ask as a context-window or content-policy fallback (they already voted for the job). */
  exclude?: readonly string[];
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
  /** The model asked; outside the tier after a context-window or content-policy fallback. */
  model: string;
  /** True when an earlier model failed, was skipped, or refused. */
  fallback: boolean;
  /** Every failed, skipped or refused call before the answer, in order. */
  failures: Attempt[];
}

/** How a model's last call ended, for choosing between `all-throttled`, `exhausted` and a window fallback. */
type LastFailure = 'throttled' | 'breaker-open' | 'context-window' | 'other';

type ModelOutcome = { result: ModelResult; startedAt: number } | { result?: undefined; last: LastFailure };

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
 * from the response cache when it holds the answer, else through its
 * circuit breaker, retrying transient failures on the same model with
 * backoff and falling back to the next model otherwise. A model whose
 * window the request does not fit is skipped; when no model of the tier fits,
 * a larger-window model of the fleet answers. An answer withheld by a
 * guardrail or content filter is asked once more of the configured
 * content-policy model. See ARCHITECTURE.md, "Errors", and docs/call-features.md.
 */
export async function callTierModels(deps: TierCallDeps, input: TierCallInput): Promise<TierAnswer> {
  const { client, breakers } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const { tier, signal } = input;
  const models = orderModels(tier.models, input.preferredModel);
  const failures: Attempt[] = [];
  const lastFailures = new Map<string, LastFailure>();
  let lastError: ModelCallError | undefined;

  const fail = (reason: TierCallFailureReason, retryAfterMs?: number): TierCallError =>
    new TierCallError({ tier: tier.name, reason, attempts: [...failures], lastError, retryAfterMs });

  const requestFor = (model: string): CallRequest => input.requestFor?.(model) ?? input.request;
  const tokens = new Map<string, number>();
  const tokensFor = (model: string): number => {
    let count = tokens.get(model);
    if (count === undefined) {
      count = estimateRequestTokens(requestFor(model));
      tokens.set(model, count);
    }
    return count;
  };
  const windowOf = (model: string): number | undefined =>
    tier.models.find((m) => m.id === model)?.contextWindow ?? input.fleetModels?.find((m) => m.id === model)?.contextWindow;

  /** One model: its window checked, then called through its breaker, transient failures retried. */
  async function tryModel(model: string, fallback: boolean): Promise<ModelOutcome> {
    const window = windowOf(model);
    if (window !== undefined && tokensFor(model) > window) {
      const note = `not called: the input, about ${String(tokensFor(model))} tokens, exceeds its context window of ${String(window)}`;
      failures.push({ tier: tier.name, model, outcome: 'skipped', startedAt: now(), latencyMs: 0, costUsd: 0, fallback, note });
      return { last: 'context-window' };
    }
    const modelRequest: ModelRequest = { ...requestFor(model), modelId: model };
    // A cached answer is served before the breaker: while the model is down too, and without counting as a call to it.
    const cachedAt = now();
    const cached = await client.cachedAnswer?.(modelRequest, input.stream === true, input.tenant);
    if (cached !== undefined) return { result: cached, startedAt: cachedAt };
    const options = {
      signal,
      timeoutMs: tier.callTimeoutMs,
      ...(client.cachedAnswer === undefined ? {} : { cacheChecked: true }),
      ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
    };
    for (let tryIndex = 0; ; tryIndex += 1) {
      if (signal?.aborted) throw fail('cancelled');
      const startedAt = now();
      try {
        const result = await breakers.run(model, () =>
          input.stream ? client.converseStream(modelRequest, options) : client.converse(modelRequest, options),
        );
        return { result, startedAt };
      } catch (err) {
        if (isBreakerOpenError(err)) {
          failures.push({ tier: tier.name, model, outcome: 'breaker-open', startedAt, latencyMs: 0, costUsd: 0, fallback });
          if (signal?.aborted) throw fail('cancelled');
          return { last: 'breaker-open' };
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
        if (err.kind === 'cancelled' || signal?.aborted) throw fail('cancelled');
        if (err.kind === 'invalid-request') throw fail('unrecoverable');
        if (err.kind === 'context-window') return { last: 'context-window' };
        if (err.kind !== 'transient' || tryIndex + 1 >= tier.retry.attemptsPerModel) {
          return { last: err.kind === 'throttled' ? 'throttled' : 'other' };
        }
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

  /** The answer, or the content-policy model's when the answer was withheld and a fallback is configured. */
  async function finish(model: string, fallback: boolean, answered: { result: ModelResult; startedAt: number }): Promise<TierAnswer> {
    const { result } = answered;
    const retryModel = contentPolicyRetryModel({
      stopReason: result.stopReason,
      model,
      configured: input.fallbacks?.contentPolicy,
    });
    if (retryModel === undefined || input.exclude?.includes(retryModel) === true) return { result, model, fallback, failures };
    const refusedAt = failures.length;
    failures.push(
      refusedAttempt({ tier: tier.name, model, answered, fallback, note: `asked the content-policy fallback ${retryModel} instead` }),
    );
    try {
      const retried = await tryModel(retryModel, true);
      if (retried.result !== undefined) return { result: retried.result, model: retryModel, fallback: true, failures };
    } catch (error) {
      if (!(error instanceof TierCallError) || error.reason === 'cancelled') throw error;
    }
    // The fallback could not answer: the withheld answer stands, recorded as the answer rather than as refused.
    failures.splice(refusedAt, 1);
    return { result, model, fallback, failures };
  }

  for (const [index, model] of models.entries()) {
    const outcome = await tryModel(model, index > 0);
    if (outcome.result !== undefined) return finish(model, index > 0, outcome);
    lastFailures.set(model, outcome.last);
  }

  if (models.length > 0 && models.every((model) => lastFailures.get(model) === 'context-window')) {
    return windowFallback();
  }
  const fitting = models.filter((model) => lastFailures.get(model) !== 'context-window');
  const lasts = fitting.map((model) => lastFailures.get(model));
  if (lasts.length > 0 && lasts.every((last) => last === 'throttled' || last === 'breaker-open')) {
    throw fail('all-throttled', retryAfter(fitting, lastFailures, breakers, input.throttledPauseMs, now()));
  }
  throw fail('exhausted');

  /** No model of the tier takes the input: a larger-window model of the fleet, until one answers or none fits. */
  async function windowFallback(): Promise<TierAnswer> {
    const tried = new Set([...models, ...(input.exclude ?? [])]);
    for (;;) {
      const choice = chooseWindowFallback({
        models: input.fleetModels ?? [],
        configured: input.fallbacks?.contextWindow,
        exclude: tried,
        tokensFor,
      });
      if (choice.model === undefined) {
        const windows = tier.models.flatMap((m) => (m.contextWindow === undefined ? [] : [{ id: m.id, window: m.contextWindow }]));
        const largestTier = windows.reduce<{ id: string; window: number } | undefined>(
          (best, m) => (best === undefined || m.window > best.window ? m : best),
          undefined,
        );
        const tierIsLarger = largestTier !== undefined && largestTier.window > choice.largestWindow;
        throw new NoWindowFitsError({
          tier: tier.name,
          attempts: [...failures],
          lastError,
          estimatedTokens: estimateRequestTokens(input.request),
          largestWindow: tierIsLarger ? largestTier.window : choice.largestWindow,
          largestModel: tierIsLarger ? largestTier.id : choice.largestModel,
        });
      }
      const model = choice.model;
      tried.add(model);
      const last = failures.at(-1);
      if (last !== undefined) last.note = `${last.note === undefined ? '' : `${last.note}; `}context-window fallback: ${model}, ${choice.reason}`;
      const outcome = await tryModel(model, true);
      if (outcome.result !== undefined) return finish(model, true, outcome);
      if (outcome.last === 'context-window') continue;
      lastFailures.set(model, outcome.last);
      if (outcome.last === 'throttled' || outcome.last === 'breaker-open') {
        throw fail('all-throttled', retryAfter([model], lastFailures, breakers, input.throttledPauseMs, now()));
      }
      throw fail('exhausted');
    }
  }
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
