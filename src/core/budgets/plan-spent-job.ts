import type { BudgetSettings } from './budget-settings.js';

/** How a job a worker refused for a spent budget fails: its error message starts so. */
export const BUDGET_REFUSAL = 'budget exceeded: ';

/** What a worker does with a job it is about to run when the job's budget is spent. */
export type SpentJobPlan =
  /** Not run: `whenSpent: refuse`. */
  | { action: 'refuse'; message: string }
  /** Run on this tier, with `path` as its cascade path from here, asking `model` first when set. */
  | { action: 'run'; path: string[]; model?: string; note: string }
  /** Handed, before any call, to the tier of the fleet's cheapest model for it. */
  | { action: 'hand-off'; toTier: string; model: string; note: string };

export interface SpentJobInput {
  whenSpent: BudgetSettings['whenSpent'];
  /** Whose budget is spent and by how much (describeSpent). */
  why: string;
  /** When the period ends, as an ISO date, for a refusal. */
  resetsAt: string;
  /** The tier the job is on. */
  tier: string;
  /** The job's cascade path from this tier (this tier first). */
  path: readonly string[];
  /** The model the job asks first, if any. */
  model?: string | undefined;
  /** An escalation child or a flow member or step: it keeps its tier and model. */
  child: boolean;
  /** The job named its own tier or model, which wins over the budget as over every router. */
  placedByJob: boolean;
  /** The fleet's cheapest model for the job, when any model's window holds it. */
  cheapest?: { tier: string; model: string } | undefined;
}

/**
 * The budget, enforced again when a worker takes a job (docs/budgets.md):
 * jobs enqueued while money was left (a batch of thousands, say) must not
 * spend on after the budget is gone. Under `refuse` the job is not run.
 * Under `cheapest` it runs as the producer would have routed it now: a
 * job the routers placed goes to the fleet's cheapest model (on this tier,
 * or handed to that model's tier before any call); a job that named its
 * tier or model, or a child of a cascade or flow, keeps its placement; and
 * no cascade climbs from here. Pure.
 */
export function planSpentJob(input: SpentJobInput): SpentJobPlan {
  const { tier, why } = input;
  if (input.whenSpent === 'refuse') {
    return { action: 'refuse', message: `${why}; budgets.whenSpent is "refuse", so the job was not run (the budget resets at ${input.resetsAt})` };
  }
  const stays = input.path.length > 1 ? `; the cascade stays on tier ${tier}` : '';
  const here = (note: string, model?: string): SpentJobPlan => ({ action: 'run', path: [tier], ...(model === undefined ? {} : { model }), note: `${note}${stays}` });
  if (input.child) return here(`${why} (found by the worker), but this part of the job keeps its model`);
  if (input.placedByJob) return here(`${why} (found by the worker), but the job's own placement wins`);
  const cheapest = input.cheapest;
  if (cheapest === undefined) return here(`${why} (found by the worker), but no model's context window holds the job`);
  const chosen = `${why} (found by the worker): cheapest model ${cheapest.model} on tier ${cheapest.tier}`;
  if (cheapest.tier === tier) return here(chosen, cheapest.model);
  return { action: 'hand-off', toTier: cheapest.tier, model: cheapest.model, note: chosen };
}

/** Whether running the plan changes nothing the job had already: the producer routed it under the same spent budget. */
export function planChangesNothing(plan: SpentJobPlan, input: Pick<SpentJobInput, 'path' | 'model'>): boolean {
  return plan.action === 'run' && input.path.length === plan.path.length && (plan.model === undefined || plan.model === input.model);
}
