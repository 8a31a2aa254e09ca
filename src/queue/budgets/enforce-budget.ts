import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { FleetConfig } from '../../config/fleet-schema.js';
import { periodWindow } from '../../core/budgets/budget-period.js';
import { cheapestModel } from '../../core/budgets/budget-router.js';
import { describeSpent } from '../../core/budgets/describe-spent.js';
import { BUDGET_REFUSAL, planChangesNothing, planSpentJob, type SpentJobInput } from '../../core/budgets/plan-spent-job.js';
import type { TierOutcome } from '../../core/job/tier-outcome.js';
import { EMPTY_SNAPSHOT } from '../../core/routing/fleet-snapshot.js';
import { toRoutableJob } from '../../core/routing/routable-job.js';
import type { BreakerRegistry } from '../../resilience/breaker-registry.js';
import { escalate } from '../escalate-job.js';
import type { FleetQueues } from '../fleet-queues.js';
import type { TierJob, TierJobData } from '../tier-job-data.js';
import type { BudgetGate } from './budget-gate.js';

export interface EnforceBudgetDeps {
  fleet: FleetConfig;
  gate: BudgetGate;
  queues: FleetQueues;
  breakers: BreakerRegistry;
  log: Logger;
  now: () => number;
}


/** The fleet's cheapest model for the job, whatever tier it is on (open breakers of this process avoided). */
function cheapestFor(deps: EnforceBudgetDeps, data: TierJobData): { tier: string; model: string } | undefined {
  const { task, tenant, tags, metadata, request } = data;
  const job = toRoutableJob({ task, tenant, tags, metadata, inference: request.inference, tier: undefined, model: undefined }, request);
  const found = cheapestModel(deps.fleet, job, { ...EMPTY_SNAPSHOT, breakers: deps.breakers.states() });
  return found === undefined ? undefined : { tier: found.tier, model: found.model.id };
}

/**
 * The budget check a worker makes before a job's first call (planSpentJob
 * says what it does). While money is left, nothing. Under `refuse`, the job
 * fails with a message naming the budget. Under `cheapest`, the job runs
 * here (data updated in place: path, model, route; returns undefined), or
 * is handed to the cheapest model's tier (returns what the processor
 * returns); the route's reason says so either way.
 */
export async function enforceBudget(deps: EnforceBudgetDeps, job: TierJob, token: string, tier: string): Promise<TierOutcome | undefined> {
  const data = job.data;
  const spent = await deps.gate.spent(data.tenant);
  if (spent === undefined) return undefined;
  const { settings } = deps.gate;
  const child = job.parentKey !== undefined;
  const placedByJob = data.placedByJob === true;
  const input: SpentJobInput = {
    whenSpent: settings.whenSpent,
    why: describeSpent(spent, settings.period),
    resetsAt: new Date(periodWindow(settings.period, deps.now()).endsAt).toISOString(),
    tier,
    path: data.path,
    model: data.model,
    child,
    placedByJob,
    cheapest: settings.whenSpent === 'cheapest' && !child && !placedByJob ? cheapestFor(deps, data) : undefined,
  };
  const plan = planSpentJob(input);
  if (plan.action === 'refuse') {
    deps.log.warn({ scope: spent.scope, spentUsd: spent.spentUsd, budgetUsd: spent.budgetUsd }, 'budget spent: the job is refused');
    throw new UnrecoverableError(`${BUDGET_REFUSAL}${plan.message}`);
  }
  if (planChangesNothing(plan, input)) return undefined;
  deps.log.info({ scope: spent.scope, action: plan.action, model: plan.model }, plan.note);

  // In place: the processor goes on with this same object when the job runs here.
  // The budget places the job now: no classification (it could route the job to a dearer tier).
  const route = { ...data.route, reason: `${data.route.reason}; ${plan.note}` };
  delete route.classify;
  if (plan.action === 'run') {
    data.path = plan.path;
    if (plan.model !== undefined) data.model = plan.model;
    data.route = { ...route, path: plan.path, ...(plan.model === undefined ? {} : { model: plan.model }) };
    await job.updateData(data);
    return undefined;
  }
  data.path = [tier, plan.toTier];
  data.route = { ...route, path: data.path };
  delete data.route.model;
  return escalate({ fleet: deps.fleet, queues: deps.queues, log: deps.log }, job, token, {
    toTier: plan.toTier,
    reason: plan.note,
    attempts: data.attempts,
    model: plan.model,
  });
}
