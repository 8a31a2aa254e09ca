import { describe, expect, it } from 'vitest';
import { planChangesNothing, planSpentJob, type SpentJobInput } from '../../../src/core/budgets/plan-spent-job.js';

const WHY = 'tenant acme spent $0.0123 of its $0.01 daily budget';
const base: SpentJobInput = {
  whenSpent: 'cheapest',
  why: WHY,
  resetsAt: '2025-06-02T00:00:00.000Z',
  tier: 'large',
  path: ['large'],
  child: false,
  placedByJob: false,
  cheapest: { tier: 'small', model: 'micro' },
};

describe('planSpentJob: a spent budget found when a worker takes the job', () => {
  it('refuses under whenSpent "refuse", naming the budget and when it resets', () => {
    expect(planSpentJob({ ...base, whenSpent: 'refuse' })).toEqual({
      action: 'refuse',
      message: `${WHY}; budgets.whenSpent is "refuse", so the job was not run (the budget resets at 2025-06-02T00:00:00.000Z)`,
    });
  });

  it('hands a routed job to the cheapest model\'s tier before any call', () => {
    expect(planSpentJob(base)).toEqual({ action: 'hand-off', toTier: 'small', model: 'micro', note: `${WHY} (found by the worker): cheapest model micro on tier small` });
  });

  it('runs it here on the cheapest model when that model is on this tier, and stops the cascade', () => {
    const plan = planSpentJob({ ...base, tier: 'small', path: ['small', 'medium', 'large'] });
    expect(plan).toEqual({
      action: 'run',
      path: ['small'],
      model: 'micro',
      note: `${WHY} (found by the worker): cheapest model micro on tier small; the cascade stays on tier small`,
    });
  });

  it('keeps the placement of a job that named its tier or model, and of a child, but not the climb', () => {
    const own = planSpentJob({ ...base, placedByJob: true, tier: 'medium', path: ['medium', 'large'] });
    expect(own).toEqual({ action: 'run', path: ['medium'], note: `${WHY} (found by the worker), but the job's own placement wins; the cascade stays on tier medium` });
    const child = planSpentJob({ ...base, child: true, tier: 'medium', path: ['medium', 'large'] });
    expect(child).toMatchObject({ action: 'run', path: ['medium'] });
    expect(child).not.toHaveProperty('model');
  });

  it('runs the job where it is when no model\'s window holds it', () => {
    const plan = planSpentJob({ ...base, cheapest: undefined });
    expect(plan).toMatchObject({ action: 'run', path: ['large'] });
    expect(plan.action === 'run' ? plan.note : '').toContain("no model's context window holds the job");
  });

  it('says when the plan changes nothing (the producer already routed the job under the spent budget)', () => {
    const input = { ...base, tier: 'small', path: ['small'], model: 'micro' };
    expect(planChangesNothing(planSpentJob(input), input)).toBe(true);
    const unplaced = { ...input, model: undefined };
    expect(planChangesNothing(planSpentJob(unplaced), unplaced)).toBe(false);
    const climbing = { ...input, path: ['small', 'large'] };
    expect(planChangesNothing(planSpentJob(climbing), climbing)).toBe(false);
    expect(planChangesNothing(planSpentJob(base), base)).toBe(false);
  });
});
