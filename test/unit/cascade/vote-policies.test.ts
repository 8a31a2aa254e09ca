import { describe, expect, it } from 'vitest';
import { fleetSchema } from '../../../src/config/fleet-schema.js';
import { checkFleetReferences } from '../../../src/config/check-fleet-references.js';
import { policyFor } from '../../../src/core/cascade/cascade-policy.js';
import { decideTierVote } from '../../../src/core/confidence/decide-tier-vote.js';
import type { Vote } from '../../../src/core/confidence/score-agreement.js';
import { parseJobSpec } from '../../../src/core/job/parse-job-spec.js';
import { renderRequest } from '../../../src/core/job/render-request.js';
import { routeJob } from '../../../src/core/routing/route-job.js';

const v = (tier: string, model: string, answer: string | undefined): Vote => ({ tier, model, answer });

describe('decideTierVote', () => {
  const pair = { voters: 2, quorum: 2 };
  it('asks the first voter of a tier that has not voted', () => {
    expect(decideTierVote({ votes: [], tier: 'cheap', voting: pair, top: false }).action).toBe('more');
  });
  it('asks the second voter while the quorum can still be reached', () => {
    const d = decideTierVote({ votes: [v('cheap', 'm1', 'A')], tier: 'cheap', voting: pair, top: false });
    expect(d.action).toBe('more');
  });
  it('accepts when the quorum agrees, and says so', () => {
    const d = decideTierVote({ votes: [v('cheap', 'm1', 'A'), v('cheap', 'm2', 'A')], tier: 'cheap', voting: pair, top: false });
    expect(d).toMatchObject({ action: 'accept', answer: 'A', agreement: { agreeing: 2, total: 2, confidence: 1 } });
    expect(d.reason).toBe('2/2 agree on A: quorum 2 reached');
  });
  it('escalates on a split, and on an abstention', () => {
    expect(decideTierVote({ votes: [v('cheap', 'm1', 'A'), v('cheap', 'm2', 'B')], tier: 'cheap', voting: pair, top: false }).action).toBe('escalate');
    expect(decideTierVote({ votes: [v('cheap', 'm1', undefined), v('cheap', 'm2', 'B')], tier: 'cheap', voting: pair, top: false }).action).toBe('escalate');
  });
  it('stops early once the quorum is out of reach', () => {
    const three = { voters: 3, quorum: 3 };
    expect(decideTierVote({ votes: [v('t', 'a', 'A'), v('t', 'b', 'B')], tier: 't', voting: three, top: false }).action).toBe('escalate');
  });
  it('counts lower tiers’ votes: one more voter settles a 1–1 split', () => {
    const votes = [v('cheap', 'm1', 'A'), v('cheap', 'm2', 'B'), v('mid', 'm3', 'B')];
    const d = decideTierVote({ votes, tier: 'mid', voting: { voters: 1, quorum: 2 }, top: false });
    expect(d).toMatchObject({ action: 'accept', answer: 'B' });
    expect(d.agreement.confidence).toBeCloseTo(2 / 3);
  });
  it('defaults the quorum to a strict majority of every vote the tier could gather', () => {
    const votes = [v('cheap', 'm1', 'A'), v('cheap', 'm2', 'B'), v('mid', 'm3', 'C')];
    expect(decideTierVote({ votes, tier: 'mid', voting: { voters: 1 }, top: false }).action).toBe('escalate');
    const agreed = [v('cheap', 'm1', 'A'), v('cheap', 'm2', 'B'), v('mid', 'm3', 'A')];
    expect(decideTierVote({ votes: agreed, tier: 'mid', voting: { voters: 1 }, top: false }).action).toBe('accept');
  });
  it('keeps the top tier’s own answer when no quorum forms', () => {
    const votes = [v('cheap', 'm1', 'A'), v('cheap', 'm2', 'B'), v('top', 'gpt', 'C')];
    const d = decideTierVote({ votes, tier: 'top', voting: { voters: 1 }, top: true });
    expect(d).toMatchObject({ action: 'accept', answer: 'C', agreement: { agreeing: 1, total: 3 } });
    expect(d.reason).toMatch(/top of the path, so its own answer stands \(1\/3 votes say C\)/);
  });
  it('keeps the top tier’s answer even when it agrees with nobody extractable', () => {
    const d = decideTierVote({ votes: [v('top', 'gpt', undefined)], tier: 'top', voting: { voters: 1 }, top: true });
    expect(d).toMatchObject({ action: 'accept', answer: undefined });
    expect(d.reason).toMatch(/no answer could be extracted/);
  });
});

const MICRO = 'amazon.nova-micro-v1:0';
const LITE = 'amazon.nova-lite-v1:0';
const PRO = 'amazon.nova-pro-v1:0';
const model = (id: string) => ({ id, price: { inputPer1k: 0.001, outputPer1k: 0.001 }, contextWindow: 8000 });
const fleetWith = (cascade: Record<string, unknown>) =>
  fleetSchema.parse({
    tiers: [
      { name: 'small', models: [model(MICRO), model(LITE)] },
      { name: 'medium', models: [model(LITE)] },
      { name: 'large', models: [model(PRO)] },
    ],
    routing: { primary: PRO, fallback: LITE },
    cascade,
  });

describe('cascade policies in the fleet file', () => {
  const fleet = fleetWith({
    policies: [
      { name: 'mcq', tasks: ['quiz'], scorer: 'agreement', extractor: { kind: 'choice' }, path: ['small', 'large'], votes: { small: { voters: 2, quorum: 2 } } },
      { tasks: ['chat'], cascade: false },
      { name: 'rest', scorer: 'self-report', thresholds: { small: 0.5 } },
    ],
  });
  const job = (task: string, extra: Record<string, unknown> = {}) => parseJobSpec({ task, strategy: 'cascade', prompt: 'Which one?', ...extra }, fleet);

  it('picks the first policy naming the task, else one without tasks', () => {
    expect(policyFor(fleet.cascade, 'quiz')?.name).toBe('mcq');
    expect(policyFor(fleet.cascade, 'other')?.name).toBe('rest');
  });
  it('routes a cascade along the policy’s path, and names the policy and scorer', () => {
    const route = routeJob(job('quiz'), fleet);
    expect(route).toMatchObject({ tier: 'small', path: ['small', 'large'] });
    expect(route.reason).toMatch(/mcq, scorer agreement/);
    expect(routeJob(job('quiz', { tier: 'medium' }), fleet).path).toEqual(['medium', 'large']);
  });
  it('gives a no-cascade policy a one-tier path', () => {
    const route = routeJob(job('chat'), fleet);
    expect(route.path).toEqual(['small']);
    expect(route.reason).toMatch(/no cascade for task "chat"/);
  });
  it('adds the confidence instruction only for the self-report scorer', () => {
    expect(renderRequest(job('quiz'), fleet).system).toEqual([]);
    expect(renderRequest(job('other'), fleet).system.join()).toMatch(/confidence/i);
  });
  it('refuses an agreement policy without an extractor, naming the field', () => {
    const parsed = fleetSchema.safeParse({ ...fleetWith({}), cascade: { policies: [{ scorer: 'agreement' }] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['cascade', 'policies', 0, 'extractor'] });
    expect(parsed.error?.issues[0]?.message).toMatch(/needs an extractor/);
  });
  it('reports unknown tiers, paths out of order, too many voters and unknown judge models', () => {
    const bad = fleetWith({
      policies: [
        { path: ['large', 'small'], scorer: 'agreement', extractor: { kind: 'number' }, votes: { tiny: { voters: 1 }, medium: { voters: 2 } } },
        { scorer: 'judge', judge: { model: 'amazon.nova-ultra-v9:0' } },
      ],
    });
    const messages = checkFleetReferences(bad).map((p) => `${p.path.join('.')}: ${p.message}`);
    expect(messages).toEqual([
      'cascade.policies.0.path.1: tier "small" comes before "large" in "tiers"; a cascade path climbs in tier order',
      'cascade.policies.0.votes.tiny: no tier is named "tiny"; expected one of small, medium, large',
      'cascade.policies.0.votes.medium.voters: tier "medium" has 1 model, so it cannot give 2 votes',
      'cascade.policies.1.judge.model: model "amazon.nova-ultra-v9:0" is not in any tier',
    ]);
  });
});
