import { describe, expect, it, vi } from 'vitest';
import { composeRouters, firstOf } from '../../../src/core/routing/compose-routers.js';
import { createCostRouter } from '../../../src/core/routing/cost-router.js';
import { createLatencyRouter } from '../../../src/core/routing/latency-router.js';
import { respectJobChoice } from '../../../src/core/routing/respect-job-choice.js';
import type { Router } from '../../../src/core/routing/router.js';
import { createRulesRouter } from '../../../src/core/routing/rules-router.js';
import { FLEET, job, snapshot } from './fixtures.js';

const fixed = (choice: ReturnType<Router>): Router => vi.fn<Router>(() => choice);
const rules = createRulesRouter({
  fleet: FLEET,
  rules: [
    { name: 'code', when: { task: 'coding' }, then: { tier: 'large' } },
    { name: 'pinned', when: { task: 'pinned' }, then: { model: 'medium.a' } },
  ],
});
const latency = createLatencyRouter({ fleet: FLEET });
const cost = createCostRouter({ fleet: FLEET });

describe('firstOf', () => {
  it('takes the first router with an opinion', () => {
    const none = fixed(undefined);
    const second = fixed({ tier: 'medium', reason: 'second' });
    const third = fixed({ tier: 'large', reason: 'third' });
    expect(firstOf(none, second, third)(job(), snapshot())).toEqual({ tier: 'medium', reason: 'second' });
    expect(none).toHaveBeenCalledTimes(1);
    expect(third).not.toHaveBeenCalled();
  });

  it('has no opinion when none has, or without routers', () => {
    expect(firstOf(fixed(undefined), fixed(undefined))(job(), snapshot())).toBeUndefined();
    expect(firstOf()(job(), snapshot())).toBeUndefined();
  });

  it('falls back from the rules to the cost router', () => {
    const router = firstOf(rules, cost);
    expect(router(job({ task: 'coding' }), snapshot())).toEqual({ tier: 'large', reason: 'rule "code" matched task "coding": tier large' });
    expect(router(job({ task: 'chat' }), snapshot())).toMatchObject({ tier: 'small', model: 'small.cheap' });
  });
});

describe('composeRouters', () => {
  const layered = composeRouters({ tier: rules, model: latency });

  it('lets the tier router pick the tier and the model router a model within it', () => {
    expect(layered(job({ task: 'coding' }), snapshot())).toEqual({
      tier: 'large',
      model: 'large.a',
      reason:
        'rule "code" matched task "coding": tier large; within tier large, ' +
        'fastest model (no latency bound): large.a on tier large, configured 2500 ms (not yet measured)',
    });
  });

  it('shows the model router the chosen tier on the job', () => {
    const model = vi.fn<Router>(() => undefined);
    composeRouters({ tier: fixed({ tier: 'medium', reason: 'r' }), model })(job({ task: 'x' }), snapshot());
    expect(model).toHaveBeenCalledWith(expect.objectContaining({ task: 'x', tier: 'medium' }), expect.anything());
  });

  it('lets the model router override the tier router\'s model within the tier', () => {
    expect(layered(job({ task: 'pinned' }), snapshot())).toMatchObject({ tier: 'medium', model: 'medium.b' });
  });

  it('keeps the tier router\'s choice when the model router has no opinion or answers for another tier', () => {
    const tier = fixed({ tier: 'medium', model: 'medium.a', reason: 'tier says' });
    expect(composeRouters({ tier, model: fixed(undefined) })(job(), snapshot())).toEqual({ tier: 'medium', model: 'medium.a', reason: 'tier says' });
    const elsewhere = fixed({ tier: 'large', model: 'large.a', reason: 'other' });
    expect(composeRouters({ tier, model: elsewhere })(job(), snapshot())).toEqual({ tier: 'medium', model: 'medium.a', reason: 'tier says' });
  });

  it('has no opinion when the tier router has none', () => {
    const model = vi.fn<Router>(() => ({ tier: 'small', model: 'small.alt', reason: 'm' }));
    expect(composeRouters({ tier: fixed(undefined), model })(job(), snapshot())).toBeUndefined();
    expect(model).not.toHaveBeenCalled();
  });

  it('names only the tier when every model of it is open', () => {
    const open = snapshot({ breakers: { 'large.a': 'open', 'large.b': 'open' } });
    expect(layered(job({ task: 'coding' }), open)).toEqual({ tier: 'large', reason: 'rule "code" matched task "coding": tier large' });
  });
});

describe('respectJobChoice', () => {
  const router = respectJobChoice(firstOf(rules, cost), FLEET);

  it('sends a job that asked for a model to it, on its tier, whatever the routers say', () => {
    expect(router(job({ task: 'coding', model: 'small.alt' }), snapshot())).toEqual({
      tier: 'small',
      model: 'small.alt',
      reason: 'the job asked for model small.alt (tier small)',
    });
  });

  it('keeps the job\'s tier and lets the router pick a model within it', () => {
    expect(router(job({ tier: 'medium' }), snapshot())).toEqual({
      tier: 'medium',
      model: 'medium.b',
      reason: 'the job asked for tier medium; cheapest model rated ≥ 0: medium.b (quality 0.65, est. $0.00160) on tier medium',
    });
  });

  it('keeps the job\'s tier alone when the router answers for another tier or not at all', () => {
    expect(router(job({ task: 'coding', tier: 'small' }), snapshot())).toEqual({ tier: 'small', reason: 'the job asked for tier small' });
    expect(respectJobChoice(fixed(undefined), FLEET)(job({ tier: 'large' }), snapshot())).toEqual({
      tier: 'large',
      reason: 'the job asked for tier large',
    });
  });

  it('leaves every other job to the router', () => {
    expect(router(job({ task: 'coding' }), snapshot())).toMatchObject({ tier: 'large', reason: expect.stringContaining('rule "code"') as string });
  });
});
