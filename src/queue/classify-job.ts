import { RateLimitError } from 'bullmq';
import type { Logger } from 'pino';
import type { FleetConfig, TierConfig } from '../config/fleet-schema.js';
import { scoreConfidence } from '../core/cascade/score-confidence.js';
import type { Attempt } from '../core/job/attempt.js';
import type { JobAnswer } from '../core/job/job-answer.js';
import type { JobSpec } from '../core/job/job-spec.js';
import type { RouteDecision } from '../core/job/route-decision.js';
import type { TierOutcome } from '../core/job/tier-outcome.js';
import type { ModelClient } from '../core/model-client.js';
import { createRulesThenTable } from '../core/routing/build-router.js';
import { buildClassificationRequest, parseLabel, requestText, type ParsedLabel } from '../core/routing/classify-task.js';
import { toRoutableJob } from '../core/routing/routable-job.js';
import type { BreakerRegistry } from '../resilience/breaker-registry.js';
import { callTierModels, type TierAnswer } from '../resilience/call-tier-models.js';
import { TierCallError } from '../resilience/tier-call-error.js';
import { answerAttempt } from './answer-attempt.js';
import { escalate } from './escalate-job.js';
import type { FleetQueues } from './fleet-queues.js';
import type { TierJob } from './tier-job-data.js';
import type { FleetMetrics } from '../telemetry/fleet-metrics.js';

export interface ClassifyJobDeps {
  fleet: FleetConfig;
  /** The tier running the job: the cheapest, where the producer sends jobs to be classified. */
  tier: TierConfig;
  client: ModelClient;
  breakers: BreakerRegistry;
  queues: FleetQueues;
  log: Logger;
  now: () => number;
  /** Counts each pause of the tier's queue for throttling; none when unset. */
  metrics?: Pick<FleetMetrics, 'tierPaused'> | undefined;
}


/** The rules-then-table router of each fleet, compiled once. */
const routers = new WeakMap<FleetConfig, ReturnType<typeof createRulesThenTable>>();
function rulesThenTable(fleet: FleetConfig): ReturnType<typeof createRulesThenTable> {
  let router = routers.get(fleet);
  if (router === undefined) routers.set(fleet, (router = createRulesThenTable(fleet)));
  return router;
}

/** The classification call's attempt. */
function classificationAttempt(tier: string, answered: TierAnswer, startedAt: number): Attempt {
  return answerAttempt({ tier, model: answered.model, result: answered.result, outcome: 'classified', fallback: answered.fallback, startedAt });
}

/**
 * The classifier router's second step, run by the tier a job with
 * `route.classify` was sent to (the cheapest): asks the tier's models (the
 * configured classifier model first) which of the configured labels the
 * task is, sets the job's task to the label (the default when the answer
 * names none, or when the call fails), routes it by the rules (then the
 * routing table) and records the call as an attempt (its cost counted).
 *
 * When the rules choose this tier, the job's data is updated in place (task,
 * route, model, attempts; `route.classify` cleared) and saved, and this
 * returns undefined: the processor goes on to answer it here with that data.
 * When they choose another tier, the job is handed to it as a child
 * (escalate-job.ts) and this returns what the processor returns. The route's
 * reason then tells the label, how it was read, and the rule.
 *
 * A job whose calls were cancelled is left as it was (the processor's own
 * call then ends it as cancelled); when every model is throttled or open,
 * the queue pauses and the job is classified later.
 */
export async function classifyJob(
  deps: ClassifyJobDeps,
  job: TierJob,
  token: string,
  signal: AbortSignal | undefined,
): Promise<TierOutcome | undefined> {
  const data = job.data;
  const tierName = deps.tier.name;
  const settings = deps.fleet.routing.classifier;
  const fallbackLabel = settings?.default ?? data.task;

  let parsed: ParsedLabel | undefined;
  let attempts: Attempt[] = data.attempts;
  let answered: TierAnswer | undefined;
  if (settings === undefined) {
    parsed = { label: fallbackLabel, how: 'default', note: 'this worker\'s fleet file has no "routing.classifier"' };
  } else {
    const startedAt = deps.now();
    try {
      answered = await callTierModels(
        { client: deps.client, breakers: deps.breakers, now: deps.now },
        {
          tier: deps.tier,
          request: buildClassificationRequest(settings, requestText(data.request)),
          ...(settings.model === undefined ? {} : { preferredModel: settings.model }),
          ...(signal === undefined ? {} : { signal }),
          throttledPauseMs: deps.fleet.workers.throttledPauseMs,
          tenant: data.tenant,
        },
      );
      parsed = parseLabel(scoreConfidence(answered.result).text, settings.labels, fallbackLabel);
      attempts = [...attempts, ...answered.failures, classificationAttempt(tierName, answered, startedAt)];
    } catch (error) {
      if (!(error instanceof TierCallError)) throw error;
      if (error.reason === 'cancelled') return undefined;
      if (error.reason === 'all-throttled') {
        const pauseMs = error.retryAfterMs ?? deps.fleet.workers.throttledPauseMs;
        deps.log.warn({ pauseMs }, 'classifier: every model of the tier is throttled or open; the queue pauses');
        deps.metrics?.tierPaused(tierName);
        await deps.queues.queue(tierName).rateLimit(pauseMs);
        throw new RateLimitError();
      }
      deps.log.warn({ reason: error.reason, kind: error.lastError?.kind }, `classifier: ${error.message}`);
      attempts = [...attempts, ...error.attempts];
      parsed = { label: fallbackLabel, how: 'default', note: `the classification failed (${error.message}), so the default "${fallbackLabel}"` };
    }
  }
  const classifiedBy = answered === undefined ? '' : `${answered.model} on tier ${tierName} `;

  const spec: JobSpec = {
    tenant: data.tenant,
    task: parsed.label,
    tags: data.tags,
    metadata: data.metadata,
    strategy: 'route',
    ...(data.request.inference === undefined ? {} : { inference: data.request.inference }),
  };
  const decision = rulesThenTable(deps.fleet)(spec, toRoutableJob(spec, data.request));
  const reason = `classifier router: ${classifiedBy}labelled the task "${parsed.label}" (${parsed.note}); ${decision.reason}`;
  const handOff = decision.tier !== tierName;
  const route: RouteDecision = {
    tier: tierName,
    path: handOff ? [tierName, decision.tier] : [tierName],
    reason,
  };
  deps.log.info({ label: parsed.label, how: parsed.how, toTier: decision.tier, model: decision.model }, 'job classified');

  // In place: the processor's `data` is this same object, and goes on with it when this tier answers.
  data.task = parsed.label;
  data.route = route;
  data.path = route.path;
  data.attempts = attempts;
  if (decision.model === undefined) delete data.model;
  else data.model = decision.model;
  if (!handOff) {
    await job.updateData(data);
    return undefined;
  }

  const result = answered?.result;
  const best: JobAnswer = {
    text: result === undefined ? '' : scoreConfidence(result).text,
    tier: tierName,
    model: result?.answeredModelId ?? answered?.model ?? '',
    confidence: 0,
    stopReason: result?.stopReason ?? 'end_turn',
    usage: result?.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: result?.costUsd ?? 0,
    acceptedBecause: `only the classification answered ("${parsed.label}"): the job was handed to tier ${decision.tier}`,
  };
  return escalate({ fleet: deps.fleet, queues: deps.queues, log: deps.log }, job, token, {
    toTier: decision.tier,
    reason,
    best,
    attempts,
    ...(decision.model === undefined ? {} : { model: decision.model }),
  });
}
