import { RateLimitError, UnrecoverableError, WaitingError } from 'bullmq';
import type { Logger } from 'pino';
import type { FleetConfig, TierConfig } from '../config/fleet-schema.js';
import { policyFor, thresholdsFor } from '../core/cascade/cascade-policy.js';
import { describeSpent } from '../core/budgets/describe-spent.js';
import { decideEscalation, type EscalationDecision } from '../core/cascade/decide-escalation.js';
import type { JobAnswer } from '../core/job/job-answer.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { ModelClient } from '../core/model-client.js';
import type { BreakerRegistry } from '../resilience/breaker-registry.js';
import { callTierModels } from '../resilience/call-tier-models.js';
import { TierCallError } from '../resilience/tier-call-error.js';
import { answerAttempt } from './answer-attempt.js';
import type { BudgetGate } from './budgets/budget-gate.js';
import { enforceBudget } from './budgets/enforce-budget.js';
import { CANCEL_REASON } from './cancel-job.js';
import { classifyJob } from './classify-job.js';
import { escalate, failCancelledAfterChild, resumeAfterChild } from './escalate-job.js';
import type { FleetQueues } from './fleet-queues.js';
import { tierCallExtras } from './tier-call-extras.js';
import type { TierJob, TierJobData } from './tier-job-data.js';
import { createAnswerScorer } from './score-answer.js';
import { voteOnTier } from './vote-on-tier.js';
import type { FleetMetrics } from '../telemetry/fleet-metrics.js';

export type { TierJob } from './tier-job-data.js';

/** Throttled rounds add their calls to a job's attempts until it holds this many. */
const MAX_KEPT_ATTEMPTS = 100;

/** The reason a worker aborts its in-flight calls when its shutdown grace period runs out. */
export const SHUTDOWN_REASON = 'worker shutting down';

export interface TierProcessorDeps {
  fleet: FleetConfig;
  tier: TierConfig;
  client: ModelClient;
  breakers: BreakerRegistry;
  queues: FleetQueues;
  logger: Logger;
  /** Whether the client cancelled this job (checked when an escalated job resumes). */
  isCancelled?: (jobId: string) => Promise<boolean>;
  /** Where a custom scorer's relative module path is read from (the fleet file's folder); the working directory when unset. */
  fleetDir?: string;
  /** The spend budgets, checked before a job's first call and before it climbs (docs/budgets.md); none when unset. */
  budgets?: BudgetGate | undefined;
  /** Counts each pause of the tier's queue for throttling; none when unset. */
  metrics?: Pick<FleetMetrics, 'tierPaused'> | undefined;
  now?: () => number;
}

export type TierProcessor = (job: TierJob, token?: string, signal?: AbortSignal) => Promise<TierOutcome>;

function decide(fleet: FleetConfig, data: TierJobData, tier: string, confidence: number): EscalationDecision {
  if (data.strategy !== 'cascade') return { action: 'accept', reason: 'routed job: no cascade' };
  const thresholds = thresholdsFor(fleet.cascade, policyFor(fleet.cascade, data.task));
  return decideEscalation({ path: data.path, tier, confidence, thresholds });
}

/**
 * Serves one tier's jobs: calls the tier's models (breakers, retries,
 * fallbacks), scores the answer, and accepts it or escalates the job to the
 * next tier's queue. The error it throws tells BullMQ what to do.
 */
export function createTierProcessor(deps: TierProcessorDeps): TierProcessor {
  const now = deps.now ?? Date.now;
  const tierName = deps.tier.name;
  const scoreAnswer = createAnswerScorer({
    fleet: deps.fleet,
    fleetDir: deps.fleetDir ?? process.cwd(),
    log: deps.logger,
    now,
    call: (tier, request, tenant, signal) =>
      callTierModels(
        { client: deps.client, breakers: deps.breakers, now },
        { tier, request, tenant, throttledPauseMs: deps.fleet.workers.throttledPauseMs, ...(signal === undefined ? {} : { signal }) },
      ),
  });

  return async (job, token, signal) => {
    if (token === undefined) throw new Error('a tier job needs the worker token');
    const data = job.data;
    const log = deps.logger.child({ jobId: data.id, bullJobId: job.id, tier: tierName });
    if (data.escalation !== undefined) {
      // A cancelled escalation resumes with its child gone: the marker says why. (Waiting jobs are
      // removed and running ones aborted directly, so no other run needs this read.)
      if ((await deps.isCancelled?.(data.id)) === true) return failCancelledAfterChild({ fleet: deps.fleet, queues: deps.queues, log }, job, CANCEL_REASON);
      return resumeAfterChild({ fleet: deps.fleet, queues: deps.queues, log }, job, token);
    }
    // A child (an escalation, a flow's member or step) added after its job was cancelled: the cancel could not see it.
    if (job.id !== data.id && (await deps.isCancelled?.(data.id)) === true) throw new UnrecoverableError(CANCEL_REASON);
    // A budget spent since the job was enqueued: refused, sent to the cheapest model, or kept from climbing (budgets/enforce-budget.ts).
    if (deps.budgets !== undefined) {
      const handedToCheapest = await enforceBudget({ fleet: deps.fleet, gate: deps.budgets, queues: deps.queues, breakers: deps.breakers, log, now }, job, token, tierName);
      if (handedToCheapest !== undefined) return handedToCheapest;
    }
    // Classifier routing: label the task here, then answer here (data updated in place) or hand off (classify-job.ts).
    const handedOff = data.route.classify === true ? await classifyJob({ ...deps, log, now }, job, token, signal) : undefined;
    if (handedOff !== undefined) return handedOff;

    /** One answer from the tier's `models` (all of them by default), the job's chosen model first. */
    const callTier = (models: readonly string[] = deps.tier.models.map((m) => m.id), preferred = data.model, exclude: readonly string[] = []) =>
      callTierModels(
        { client: deps.client, breakers: deps.breakers, now },
        {
          tier: { ...deps.tier, models: deps.tier.models.filter((m) => models.includes(m.id)) },
          request: { messages: data.request.messages, system: data.request.system, ...(data.request.inference === undefined ? {} : { inference: data.request.inference }) },
          ...(preferred === undefined ? {} : { preferredModel: preferred }),
          ...(data.stream === true ? { stream: true } : {}),
          ...(signal === undefined ? {} : { signal }),
          throttledPauseMs: deps.fleet.workers.throttledPauseMs,
          tenant: data.tenant,
          ...(exclude.length === 0 ? {} : { exclude }),
          ...tierCallExtras(deps.fleet, data),
        },
      );

    const policy = data.strategy === 'cascade' ? policyFor(deps.fleet.cascade, data.task) : undefined;
    if (policy?.scorer === 'agreement' && policy.extractor !== undefined) {
      const escalation = { fleet: deps.fleet, queues: deps.queues, log };
      return voteOnTier({
        tier: tierName,
        models: deps.tier.models.map((m) => m.id),
        policy: { ...policy, extractor: policy.extractor },
        data,
        log,
        now,
        call: (models, exclude) => callTier(models, models[0], exclude),
        save: (next) => job.updateData(next),
        mayNotClimb: () => budgetStop(data.tenant),
        escalate: ({ data: next, ...step }) => {
          job.data = next;
          return escalate(escalation, job, token, step);
        },
        failed: (error) => failTierCall(job, token, error, signal, log),
      });
    }

    const startedAt = now();
    let answered;
    try {
      answered = await callTier();
    } catch (error) {
      if (!(error instanceof TierCallError)) throw error;
      return failTierCall(job, token, error, signal, log);
    }

    const { result, model, fallback, failures } = answered;
    let scoring;
    try {
      scoring = await scoreAnswer({ policy, data, result, tier: tierName, model, signal });
    } catch (error) {
      if (!(error instanceof TierCallError)) throw error;
      // Cancelled while a judge graded the answer: the answer was paid for, so it stays on the record.
      const undecided = answerAttempt({ tier: tierName, model, result, outcome: 'undecided', fallback, startedAt });
      const attempts = [...failures, undecided, ...error.attempts];
      return failTierCall(job, token, new TierCallError({ tier: error.tier, reason: error.reason, attempts, lastError: error.lastError }), signal, log);
    }
    const score = scoring.score;
    const decided = await keptFromClimbing(decide(deps.fleet, data, tierName, score.confidence), data.tenant);
    const decision = scoring.note === '' ? decided : { ...decided, reason: `${decided.reason} (${scoring.note})` };
    const attempt = answerAttempt({
      tier: tierName,
      model,
      result,
      outcome: decision.action === 'accept' ? 'accepted' : 'escalated',
      confidence: score.confidence,
      fallback,
      startedAt,
    });
    const attempts = [...data.attempts, ...failures, attempt, ...scoring.attempts];
    const answer: JobAnswer = {
      text: score.text,
      tier: tierName,
      model: result.answeredModelId,
      confidence: score.confidence,
      stopReason: result.stopReason,
      usage: result.usage,
      costUsd: result.costUsd,
      acceptedBecause: decision.reason,
    };
    log.info(
      { model, confidence: score.confidence, decision: decision.action, latencyMs: result.latencyMs, costUsd: result.costUsd },
      decision.action === 'accept' ? 'job answered' : 'job escalates',
    );
    if (decision.action === 'accept') return { answer, attempts, tiers: [tierName] };
    return escalate({ fleet: deps.fleet, queues: deps.queues, log }, job, token, {
      toTier: decision.toTier,
      reason: decision.reason,
      best: answer,
      attempts,
    });
  };

  /** Why the job may not climb (its budget is spent), or undefined while money is left. */
  async function budgetStop(tenant: string): Promise<string | undefined> {
    const spent = await deps.budgets?.spent(tenant);
    if (spent === undefined || deps.budgets === undefined) return undefined;
    return `${describeSpent(spent, deps.budgets.settings.period)}, so the cascade stops on tier ${tierName}`;
  }

  /** An escalation turned into acceptance when the job's budget is spent: climbing would spend more. */
  async function keptFromClimbing(decision: EscalationDecision, tenant: string): Promise<EscalationDecision> {
    if (decision.action !== 'escalate') return decision;
    const stop = await budgetStop(tenant);
    return stop === undefined ? decision : { action: 'accept', reason: `${decision.reason}; ${stop}` };
  }

  async function failTierCall(
    job: TierJob,
    token: string,
    error: TierCallError,
    signal: AbortSignal | undefined,
    log: Logger,
  ): Promise<never> {
    if (error.reason === 'all-throttled') {
      // The throttled calls stay on the record (and reach the statistics), up to a bound: a long storm must not bloat the job.
      const kept = job.data.attempts.length;
      if (kept < MAX_KEPT_ATTEMPTS) await job.updateData({ ...job.data, attempts: [...job.data.attempts, ...error.attempts.slice(0, MAX_KEPT_ATTEMPTS - kept)] });
      const pauseMs = error.retryAfterMs ?? deps.fleet.workers.throttledPauseMs;
      log.warn({ pauseMs }, 'every model of the tier is throttled or open; the queue pauses');
      deps.metrics?.tierPaused(tierName);
      await deps.queues.queue(tierName).rateLimit(pauseMs);
      throw new RateLimitError();
    }
    // The calls made so far stay on the record, the one cut off included (it may have been billed).
    await job.updateData({ ...job.data, attempts: [...job.data.attempts, ...error.attempts] });
    if (error.reason === 'cancelled' && signal?.reason === SHUTDOWN_REASON) {
      log.warn('shutdown grace period over: the job goes back to its queue');
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (error.reason === 'cancelled' && signal?.reason === CANCEL_REASON) throw new UnrecoverableError(CANCEL_REASON);
    log.warn({ reason: error.reason, kind: error.lastError?.kind }, error.message);
    if (error.reason === 'exhausted') throw error;
    throw new UnrecoverableError(error.message);
  }
}
