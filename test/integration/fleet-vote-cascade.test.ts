import { afterEach, describe, expect, it } from 'vitest';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

/**
 * Each model answers a question by its number: q1 all say B; q2 the small
 * models split and medium sides with B; q3 everyone below large disagrees.
 */
const reply = (q1: string, q2: string, q3: string) => ({
  answer: {
    rules: [
      { match: '\\bq1\\b', reply: q1 },
      { match: '\\bq2\\b', reply: q2 },
      { match: '\\bq3\\b', reply: q3 },
    ],
  },
});
const VOTE_SCENARIO = {
  seed: 3,
  defaults: { answer: { mode: 'plausible', outputTokens: 10 } },
  models: {
    [MODELS.small[0]]: reply('B', 'A', 'A'),
    [MODELS.small[1]]: reply('The answer is (B).', 'B) because', 'B'),
    [MODELS.medium[0]]: reply('B', 'Answer: B', 'C'),
    [MODELS.medium[1]]: reply('B', 'B', 'D'),
    [MODELS.large[0]]: reply('B', 'B', 'D. The reason is…'),
  },
};

/** Both small models refuse (a content filter) prompts matching `match`; `others` answer as given. */
function smallRefuses(match: string, others: Record<string, unknown>) {
  const refuse = { answer: { rules: [{ match, reply: 'I cannot help with that.', stopReason: 'content_filtered' }] } };
  return { ...VOTE_SCENARIO, models: { ...VOTE_SCENARIO.models, [MODELS.small[0]]: refuse, [MODELS.small[1]]: refuse, ...others } };
}

/** Multiple-choice jobs vote: two small voters must agree; medium adds one voter and accepts a 2-of-3 majority; large has the last word. */
function votingFleet(input: Record<string, unknown>): void {
  input.cascade = {
    thresholds: { small: 0.7, medium: 0.8 },
    policies: [
      {
        name: 'vote',
        tasks: ['quiz'],
        scorer: 'agreement',
        extractor: { kind: 'choice', letters: 'ABCD' },
        votes: { small: { voters: 2, quorum: 2 }, medium: { voters: 1, quorum: 2 } },
      },
      { name: 'no-cascade', tasks: ['chat'], cascade: false },
    ],
  };
}

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('agreement cascades with votes accumulated across tiers', () => {
  it('accepts on the small tier when both of its voters agree, and lists the votes', async () => {
    fleet = await startFleetHarness({ fleet: votingFleet, scenario: VOTE_SCENARIO });
    const receipt = await fleet.producer.enqueue({ id: 'v1', task: 'quiz', strategy: 'cascade', prompt: 'q1: which letter?' });
    expect(receipt.route.reason).toMatch(/vote, scorer agreement/);
    const result = await fleet.waitFor('v1');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ tier: 'small', model: MODELS.small[1], text: 'The answer is (B).', confidence: 1 });
    expect(result.answer?.acceptedBecause).toMatch(/2\/2 agree on B: quorum 2 reached/);
    expect(result.votes).toEqual([
      { tier: 'small', model: MODELS.small[0], answer: 'B' },
      { tier: 'small', model: MODELS.small[1], answer: 'B' },
    ]);
    expect(result.attempts.map((a) => [a.tier, a.model, a.outcome, a.vote])).toEqual([
      ['small', MODELS.small[0], 'voted', 'B'],
      ['small', MODELS.small[1], 'accepted', 'B'],
    ]);
    // No confidence instruction: the agreement scorer reads answers as given.
    expect((await fleet.queues.queue('small').getJob('v1'))?.data.request.system).toEqual([]);
  });

  it('carries the small tier’s split votes up; medium adds one voter and accepts the 2-of-3 majority', async () => {
    fleet = await startFleetHarness({ fleet: votingFleet, scenario: VOTE_SCENARIO });
    await fleet.producer.enqueue({ id: 'v2', task: 'quiz', strategy: 'cascade', prompt: 'q2: which letter?' });
    const result = await fleet.waitFor('v2');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ tier: 'medium', model: MODELS.medium[0], text: 'Answer: B' });
    expect(result.answer?.confidence).toBeCloseTo(2 / 3);
    expect(result.votes?.map((v) => v.answer)).toEqual(['A', 'B', 'B']);
    expect(result.attempts.map((a) => [a.tier, a.outcome])).toEqual([
      ['small', 'voted'],
      ['small', 'escalated'],
      ['medium', 'accepted'],
    ]);
    expect(result.attempts.some((a) => a.tier === 'large')).toBe(false);
  });

  it('counts a model once: one listed in two tiers does not vote again higher up', async () => {
    const shared = (input: Record<string, unknown>): void => {
      votingFleet(input);
      const tiers = input.tiers as { models: unknown[] }[];
      const [small, medium] = tiers;
      if (small === undefined || medium === undefined) throw new Error('the test fleet has tiers small and medium');
      medium.models = [small.models[1], ...medium.models]; // small's second model is medium's first too
    };
    fleet = await startFleetHarness({ fleet: shared, scenario: VOTE_SCENARIO });
    await fleet.producer.enqueue({ id: 'v-shared', task: 'quiz', strategy: 'cascade', prompt: 'q3: which letter?' });
    const result = await fleet.waitFor('v-shared');
    expect(result.state).toBe('completed');
    // Asked again, the shared model's B would have made a 2-of-3 majority on medium.
    expect(result.votes?.map((v) => [v.tier, v.model, v.answer])).toEqual([
      ['small', MODELS.small[0], 'A'],
      ['small', MODELS.small[1], 'B'],
      ['medium', MODELS.medium[0], 'C'],
      ['large', MODELS.large[0], 'D'],
    ]);
    expect(result.answer?.tier).toBe('large');
  });

  it('reaches the top tier only when no majority forms, and the top tier’s answer stands', async () => {
    fleet = await startFleetHarness({ fleet: votingFleet, scenario: VOTE_SCENARIO });
    await fleet.producer.enqueue({ id: 'v3', task: 'quiz', strategy: 'cascade', prompt: 'q3: which letter?' });
    const result = await fleet.waitFor('v3');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ tier: 'large', model: MODELS.large[0], text: 'D. The reason is…' });
    expect(result.answer?.acceptedBecause).toMatch(/top of the path, so its own answer stands \(1\/4 votes say D\)/);
    expect(result.votes?.map((v) => [v.tier, v.answer])).toEqual([
      ['small', 'A'],
      ['small', 'B'],
      ['medium', 'C'],
      ['large', 'D'],
    ]);
    // Four calls paid for, every one of them in the result.
    expect(result.attempts).toHaveLength(4);
    expect(result.costUsd).toBeCloseTo(result.attempts.reduce((sum, a) => sum + a.costUsd, 0));
  });

  it.each([
    {
      what: 'replaces a throttled first voter by the tier’s next model, and escalates when the tier runs out of voters',
      throttled: 0,
      attempts: [['small', MODELS.small[0], 'error'], ['small', MODELS.small[1], 'escalated'], ['medium', MODELS.medium[0], 'accepted']],
    },
    {
      what: 'climbs with its votes when the voter left to ask is throttled (the tier is not all throttled: its queue does not pause)',
      throttled: 1,
      attempts: [['small', MODELS.small[0], 'escalated'], ['small', MODELS.small[1], 'error'], ['medium', MODELS.medium[0], 'accepted']],
    },
  ] as const)('$what', async ({ throttled, attempts }) => {
    const model = MODELS.small[throttled];
    const scenario = { ...VOTE_SCENARIO, models: { ...VOTE_SCENARIO.models, [model]: { ...VOTE_SCENARIO.models[model], faults: { ThrottlingException: 1 } } } };
    fleet = await startFleetHarness({ fleet: votingFleet, scenario });
    await fleet.producer.enqueue({ id: 'v4', task: 'quiz', strategy: 'cascade', prompt: 'q1: which letter?' });
    const result = await fleet.waitFor('v4', ['completed', 'failed'], 10_000);
    expect(result.state).toBe('completed');
    expect(result.attempts.map((a) => [a.tier, a.model, a.outcome])).toEqual(attempts);
    expect(result.answer).toMatchObject({ tier: 'medium', text: 'B' });
    expect(result.votes?.map((v) => v.model)).toEqual([MODELS.small[1 - throttled], MODELS.medium[0]]);
  });

  it('a policy without cascade answers on the entry tier, and other tasks keep the self-reported cascade', async () => {
    fleet = await startFleetHarness({ fleet: votingFleet, scenario: VOTE_SCENARIO });
    const chat = await fleet.producer.enqueue({ id: 'c1', task: 'chat', strategy: 'cascade', prompt: 'hello there' });
    expect(chat.route).toMatchObject({ tier: 'small', path: ['small'] });
    expect(chat.route.reason).toMatch(/no cascade for task "chat"/);
    const done = await fleet.waitFor('c1');
    expect(done.attempts.map((a) => a.tier)).toEqual(['small']);

    await fleet.producer.enqueue({ id: 'g1', task: 'general', strategy: 'cascade', prompt: 'hello again' });
    await fleet.waitFor('g1');
    expect((await fleet.queues.queue('small').getJob('g1'))?.data.request.system.join('\n')).toMatch(/confidence/i);
  });

  it('a refused or blocked answer abstains: two identical refusals do not agree', async () => {
    fleet = await startFleetHarness({
      fleet: (input) => {
        votingFleet(input);
        const policies = (input.cascade as { policies: Record<string, unknown>[] }).policies;
        policies[0]!.extractor = { kind: 'exact' };
      },
      scenario: smallRefuses('q4', Object.fromEntries([MODELS.medium[0], MODELS.medium[1], MODELS.large[0]].map((m) => [m, { answer: { rules: [{ match: 'q4', reply: 'Paris' }] } }]))),
    });
    await fleet.producer.enqueue({ id: 'r1', task: 'quiz', strategy: 'cascade', prompt: 'q4: the capital of France?' });
    const result = await fleet.waitFor('r1');
    // The first refusal leaves no answer that could reach the quorum of 2 on small: on to medium.
    expect(result.votes?.[0]).toEqual({ tier: 'small', model: MODELS.small[0] });
    expect(result.attempts.map((a) => [a.tier, a.outcome, a.vote])).toEqual([
      ['small', 'escalated', null],
      ['medium', 'escalated', 'paris'],
      ['large', 'accepted', 'paris'],
    ]);
    expect(result.answer).toMatchObject({ tier: 'large', text: 'Paris' });
    expect(result.answer?.acceptedBecause).toContain(`[${MODELS.small[0]}: —, `);
  });

  it('a content-policy fallback votes once: it is not asked again for the second refusal', async () => {
    const fallbackModel = MODELS.large[1];
    fleet = await startFleetHarness({
      fleet: (input) => {
        votingFleet(input);
        input.fallbacks = { contentPolicy: fallbackModel };
      },
      scenario: smallRefuses('q6', Object.fromEntries([fallbackModel, MODELS.medium[0]].map((m) => [m, { answer: { rules: [{ match: 'q6', reply: 'A' }] } }]))),
    });
    await fleet.producer.enqueue({ id: 'once-1', task: 'quiz', strategy: 'cascade', prompt: 'q6: which letter?' });
    const result = await fleet.waitFor('once-1');
    const voters = (result.votes ?? []).map((v) => v.model);
    expect(new Set(voters).size).toBe(voters.length);
    // The fallback's A and small 2's withheld answer (an abstention) make no quorum on small; medium's A does.
    expect(result.votes?.map((v) => [v.tier, v.model, v.answer])).toEqual([
      ['small', fallbackModel, 'A'],
      ['small', MODELS.small[1], undefined],
      ['medium', MODELS.medium[0], 'A'],
    ]);
    expect(result.answer).toMatchObject({ tier: 'medium', text: 'A' });
  });

  it('asks a tier’s voters at once with `parallel`, and the calls overlap', async () => {
    const slow = { latency: { baseMs: 300 } };
    const scenario = {
      ...VOTE_SCENARIO,
      models: {
        ...VOTE_SCENARIO.models,
        [MODELS.small[0]]: { ...VOTE_SCENARIO.models[MODELS.small[0]], ...slow },
        [MODELS.small[1]]: { ...VOTE_SCENARIO.models[MODELS.small[1]], ...slow },
      },
    };
    fleet = await startFleetHarness({
      fleet: (input) => {
        votingFleet(input);
        const policies = (input.cascade as { policies: { votes?: Record<string, Record<string, unknown>> }[] }).policies;
        policies[0]!.votes!.small = { voters: 2, quorum: 2, parallel: true };
      },
      scenario,
    });
    const spans: { model: string; start: number; end: number }[] = [];
    fleet.sdk.middlewareStack.add(
      (next) => async (args) => {
        const start = Date.now();
        const output = await next(args);
        spans.push({ model: (args.input as { modelId?: string }).modelId ?? '', start, end: Date.now() });
        return output;
      },
      { step: 'initialize', name: 'timeConverseCalls' },
    );
    await fleet.producer.enqueue({ id: 'p1', task: 'quiz', strategy: 'cascade', prompt: 'q1: which letter?' });
    const result = await fleet.waitFor('p1');
    expect(result.answer).toMatchObject({ tier: 'small', confidence: 1 });
    expect(result.votes?.map((v) => v.model)).toEqual([MODELS.small[0], MODELS.small[1]]);
    expect(spans.map((s) => s.model).sort()).toEqual([...MODELS.small].sort());
    const [first, second] = [...spans].sort((a, b) => a.start - b.start);
    // The second call went out before the first came back.
    expect(second!.start).toBeLessThan(first!.end);
  });
});

