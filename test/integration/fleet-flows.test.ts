import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { cancelJob } from '../../src/queue/cancel-job.js';
import { createConversationStore } from '../../src/queue/conversations/conversation-store.js';
import { createRedisConnection } from '../../src/queue/create-redis-connection.js';
import type { FleetQueues } from '../../src/queue/fleet-queues.js';
import { createFlowsWorker, type FlowsWorker } from '../../src/queue/flows/create-flows-worker.js';
import type { JobObserver, FinishedJob } from '../../src/queue/job-observer.js';
import { jobIndexKey } from '../../src/queue/queue-names.js';
import { aroundAdd } from '../helpers/around-add.js';
import { MODELS, REDIS_URL, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

const [SMALL, SMALL_2] = MODELS.small;
const [MEDIUM] = MODELS.medium;
const [LARGE, LARGE_2] = MODELS.large;

/** Each model answers the letter quiz and the apple count its own way, and echoes every other prompt back (to follow a pipeline's chain). */
const SCENARIO = {
  seed: 3,
  defaults: { answer: { mode: 'echo' } },
  models: {
    [SMALL]: { answer: { mode: 'echo', rules: [{ match: 'which letter', reply: 'The answer is B.' }, { match: 'how many', reply: 'About 10 apples.' }] } },
    [MEDIUM]: { answer: { mode: 'echo', rules: [{ match: 'which letter', reply: 'Answer: B' }, { match: 'how many', reply: 'I count 12.' }] } },
    [LARGE]: { answer: { mode: 'echo', rules: [{ match: 'which letter', reply: 'I would say (C).' }, { match: 'how many', reply: 'There are 14.' }] } },
    [LARGE_2]: { answer: { mode: 'echo', rules: [{ match: 'which letter', reply: 'B, surely.' }] } },
  },
};

/** Both small models fail every call (a ValidationException: no retry), so a member or step on tier small fails. */
const SMALL_DOWN = {
  ...SCENARIO,
  models: { ...SCENARIO.models, [SMALL]: { ...SCENARIO.models[SMALL], faults: { ValidationException: 1 } }, [SMALL_2]: { faults: { ValidationException: 1 } } },
};

const TRIO = [{ model: SMALL }, { model: MEDIUM }, { model: LARGE }];
const PIPELINE = {
  steps: [
    { name: 'extract', model: SMALL, template: { prompt: 'EXTRACT {{input}}' } },
    { name: 'structure', model: MEDIUM, template: { system: 'Make it structured.', prompt: 'STRUCTURE {{input}}' } },
    { name: 'check', model: LARGE, template: { prompt: 'CHECK {{input}} AGAINST {{document}}' } },
  ],
};

function withFlows(flows: Record<string, unknown>): (input: Record<string, unknown>) => void {
  return (input) => {
    input.flows = flows;
  };
}

/** A pattern matching `text` literally. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A flows worker of the test's own on `queues` (the harness runs none: `flows: false`), closed after the test. */
function startFlowsWorker(h: FleetHarness, queues: FleetQueues, more: { baseDir?: string } = {}): FlowsWorker {
  const connection = createRedisConnection(REDIS_URL, 'test-flows');
  const worker = createFlowsWorker({ fleet: h.fleet, connection, queues, logger: pino({ level: 'silent' }), ...more });
  cleanups.push(async () => {
    await worker.close();
    connection.disconnect();
  });
  return worker;
}

const calls = (h: FleetHarness, model: string): number => h.emulator.state.stats.snapshot().models[model]?.calls ?? 0;

let fleet: FleetHarness | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await fleet?.close();
  fleet = undefined;
});

describe('ensembles', () => {
  it('fan one request out to 3 models and combine them by vote; the result lists every member', async () => {
    fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: withFlows({ ensembles: { trio: { members: TRIO, combine: 'vote', extractor: { kind: 'choice', letters: 'ABCD' } } } }),
    });
    const receipt = await fleet.producer.enqueue({ id: 'vote-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });
    expect(receipt).toMatchObject({ id: 'vote-1', tier: 'flows', created: true });
    expect(receipt.route.reason).toBe(`ensemble "trio": 3 members (small/${SMALL}, medium/${MEDIUM}, large/${LARGE}) combined by vote; a failed member: fail`);

    const result = await fleet.waitFor('vote-1');
    expect(result.state).toBe('completed');
    expect(result.strategy).toBe('ensemble');
    expect(result.flow).toEqual({ kind: 'ensemble', name: 'trio', policy: 'fail', combine: 'vote' });
    expect(result.answer).toMatchObject({ text: 'The answer is B.', tier: 'flows', model: 'ensemble:trio' });
    expect(result.answer?.confidence).toBeCloseTo(2 / 3, 6);
    expect(result.answer?.acceptedBecause).toBe(`ensemble "trio" (vote): vote: 2/3 agree on "B" (${SMALL}, ${MEDIUM}); ${LARGE} said "C"`);
    expect(result.members?.map((m) => [m.member, m.tier, m.model, m.text, m.answer, m.weight, m.outcome])).toEqual([
      [1, 'small', SMALL, 'The answer is B.', 'B', 1, 'answered'],
      [2, 'medium', MEDIUM, 'Answer: B', 'B', 1, 'answered'],
      [3, 'large', LARGE, 'I would say (C).', 'C', 1, 'answered'],
    ]);
    for (const member of result.members ?? []) expect(member.costUsd).toBeGreaterThan(0);
    expect(result.attempts.map((a) => [a.tier, a.model, a.outcome])).toEqual([
      ['small', SMALL, 'accepted'],
      ['medium', MEDIUM, 'accepted'],
      ['large', LARGE, 'accepted'],
    ]);
    expect(result.costUsd).toBeCloseTo((result.members ?? []).reduce((sum, m) => sum + m.costUsd, 0), 8);
    // Each member's model was asked once, with the job's own prompt.
    for (const model of [SMALL, MEDIUM, LARGE]) expect(calls(fleet, model)).toBe(1);
  });

  it('count a refused member as an abstention: two identical refusals do not outvote an answer', async () => {
    const refuse = { answer: { rules: [{ match: 'capital', reply: 'I cannot help with that.', stopReason: 'content_filtered' }] } };
    fleet = await startFleetHarness({
      scenario: {
        ...SCENARIO,
        models: { ...SCENARIO.models, [SMALL]: refuse, [MEDIUM]: refuse, [LARGE]: { answer: { rules: [{ match: 'capital', reply: 'Paris' }] } } },
      },
      fleet: withFlows({ ensembles: { trio: { members: TRIO, combine: 'vote' } } }),
    });
    await fleet.producer.enqueue({ id: 'refused-1', strategy: 'ensemble', flow: 'trio', prompt: 'The capital of France?' });
    const result = await fleet.waitFor('refused-1');
    expect(result.answer).toMatchObject({ text: 'Paris', model: 'ensemble:trio' });
    expect(result.answer?.confidence).toBeCloseTo(1 / 3, 6);
    expect(result.answer?.acceptedBecause).toBe(`ensemble "trio" (vote): vote: 1/3 agree on "paris" (${LARGE}); 2 gave no answer the extractor could read`);
    expect(result.members?.map((m) => [m.model, m.text, m.answer])).toEqual([
      [SMALL, 'I cannot help with that.', undefined],
      [MEDIUM, 'I cannot help with that.', undefined],
      [LARGE, 'Paris', 'paris'],
    ]);
  });

  it('show their members while they run, and tell the observers once, when the parent ends (never for a member)', async () => {
    const h = await startFleetHarness({
      scenario: SCENARIO,
      workers: [],
      fleet: withFlows({ ensembles: { trio: { members: TRIO, combine: 'vote', extractor: { kind: 'choice' } } } }),
    });
    fleet = h;
    const told: FinishedJob[] = [];
    const recorder: JobObserver = {
      name: 'recorder',
      finished: (job) => {
        told.push(job);
        return Promise.resolve();
      },
    };
    h.observers.push(recorder);
    await h.producer.enqueue({ id: 'watch-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });

    // No tier worker yet: the parent has added its members and waits for them.
    await expect.poll(async () => (await h.read('watch-1'))?.members?.map((m) => m.outcome), { timeout: 5_000 }).toEqual(['queued', 'queued', 'queued']);
    const waiting = await h.read('watch-1');
    expect(waiting).toMatchObject({ state: 'active', tier: 'flows', costUsd: 0 });
    // The parent saves its plan before it adds each member, so the member may reach its queue a moment after it reads as queued.
    await expect.poll(() => h.queues.queue('small').getJob('watch-1--m1'), { timeout: 5_000 }).toBeDefined();

    for (const tier of ['small', 'medium', 'large']) await h.startWorker(tier);
    const result = await h.waitFor('watch-1');
    expect(result.state).toBe('completed');
    await expect.poll(() => told.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ state: 'completed', data: { id: 'watch-1', strategy: 'ensemble' } });
    expect(told[0]?.outcome?.attempts).toHaveLength(3);
  });

  it('combine numbers by mean and by weighted mean', async () => {
    fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: withFlows({
        ensembles: {
          avg: { members: TRIO, combine: 'mean' },
          weighted: { members: [{ model: SMALL }, { model: MEDIUM }, { model: LARGE, weight: 2 }], combine: 'weighted-mean' },
        },
      }),
    });
    await fleet.producer.enqueue({ id: 'mean-1', strategy: 'ensemble', flow: 'avg', prompt: 'Count: how many apples?' });
    await fleet.producer.enqueue({ id: 'wmean-1', strategy: 'ensemble', flow: 'weighted', prompt: 'Count: how many apples?' });
    const mean = await fleet.waitFor('mean-1');
    expect(mean.answer).toMatchObject({ text: '12', confidence: 1, acceptedBecause: 'ensemble "avg" (mean): mean of 3 numbers (10, 12, 14) = 12' });
    expect(mean.members?.map((m) => m.answer)).toEqual(['10', '12', '14']);
    const weighted = await fleet.waitFor('wmean-1');
    expect(weighted.answer).toMatchObject({ text: '12.5', acceptedBecause: 'ensemble "weighted" (weighted-mean): weighted mean of 3 numbers (10×1, 12×1, 14×2) = 12.5' });
    expect(weighted.members?.map((m) => m.weight)).toEqual([1, 1, 2]);
  });

  it('under "ignore", complete without a failed member, and say so', async () => {
    fleet = await startFleetHarness({
      scenario: SMALL_DOWN,
      fleet: withFlows({
        ensembles: { trio: { members: [{ model: SMALL }, { model: MEDIUM }, { model: LARGE_2 }], combine: 'vote', extractor: { kind: 'choice' }, onMemberFailure: 'ignore' } },
      }),
    });
    await fleet.producer.enqueue({ id: 'ignore-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });
    const result = await fleet.waitFor('ignore-1');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ text: 'Answer: B', confidence: 1 });
    expect(result.answer?.acceptedBecause).toMatch(
      new RegExp(`^${literal(`ensemble "trio" (vote): vote: 2/2 agree on "B" (${MEDIUM}, ${LARGE_2}); member 1 of 3 (small/${SMALL}) failed and was ignored: `)}.+`),
    );
    expect(result.members?.map((m) => [m.member, m.outcome])).toEqual([
      [1, 'ignored'],
      [2, 'answered'],
      [3, 'answered'],
    ]);
    expect(result.members?.[0]?.error).toMatch(/ValidationException|validation/i);
    expect(result.members?.[0]?.note).toBe('failed; left out (onMemberFailure: ignore)');
  });

  it('under "fail", fail the parent with a message naming the member', async () => {
    fleet = await startFleetHarness({
      scenario: SMALL_DOWN,
      fleet: withFlows({ ensembles: { trio: { members: TRIO, combine: 'vote' } } }),
    });
    await fleet.producer.enqueue({ id: 'fail-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });
    const result = await fleet.waitFor('fail-1');
    expect(result.state).toBe('failed');
    expect(result.error?.message).toMatch(new RegExp(`^${literal(`ensemble "trio": member 1 of 3 (small/${SMALL}) failed: `)}.+ \\(onMemberFailure: fail\\)$`));
    expect(result.members?.map((m) => m.outcome)).toEqual(['failed', 'answered', 'answered']);
    expect(result.attempts.some((a) => a.outcome === 'error')).toBe(true);
  });

  it('under a fallback, ask the fallback model in the failed member\'s place', async () => {
    fleet = await startFleetHarness({
      scenario: SMALL_DOWN,
      fleet: withFlows({
        ensembles: { trio: { members: TRIO, combine: 'vote', extractor: { kind: 'choice' }, onMemberFailure: { fallback: LARGE_2 } } },
      }),
    });
    await fleet.producer.enqueue({ id: 'fb-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });
    const result = await fleet.waitFor('fb-1');
    expect(result.state).toBe('completed');
    expect(result.members?.map((m) => [m.member, m.tier, m.model, m.fallback, m.outcome, m.answer])).toEqual([
      [1, 'small', SMALL, false, 'replaced', undefined],
      [1, 'large', LARGE_2, true, 'answered', 'B'],
      [2, 'medium', MEDIUM, false, 'answered', 'B'],
      [3, 'large', LARGE, false, 'answered', 'C'],
    ]);
    expect(result.answer?.acceptedBecause).toContain(`vote: 2/3 agree on "B" (${LARGE_2}, ${MEDIUM})`);
    expect(result.answer?.acceptedBecause).toContain(`member 1 of 3 (small/${SMALL}) failed (`);
    expect(result.answer?.acceptedBecause).toContain(`its fallback large/${LARGE_2} answered`);
    expect(calls(fleet, LARGE_2)).toBe(1);
    expect(await fleet.queues.queue('large').getJob('fb-1--m1-fb')).toBeDefined();
  });

  it('combine with a custom combiner loaded from a module file (relative to the fleet file\'s folder)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flows-combiner-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'join-answers.mjs'),
      'export function combine(members) {\n' +
        '  return { text: members.map((m) => `${m.member}:${m.answer ?? "-"}:${m.weight}`).join(" "), confidence: 0.25, reason: `joined ${members.length}` };\n' +
        '}\n',
    );
    const h = await startFleetHarness({
      scenario: SCENARIO,
      flows: false,
      fleet: withFlows({
        ensembles: {
          joined: { members: [{ model: SMALL }, { model: MEDIUM, weight: 3 }], combine: 'custom', extractor: { kind: 'choice' }, combiner: 'join-answers.mjs' },
          broken: { members: [{ model: SMALL }], combine: 'custom', combiner: 'missing.mjs' },
        },
      }),
    });
    fleet = h;
    startFlowsWorker(h, h.queues, { baseDir: dir });
    await h.producer.enqueue({ id: 'custom-1', strategy: 'ensemble', flow: 'joined', prompt: 'Quiz: which letter is right?' });
    await h.producer.enqueue({ id: 'custom-2', strategy: 'ensemble', flow: 'broken', prompt: 'Quiz: which letter is right?' });
    const result = await h.waitFor('custom-1');
    expect(result.answer).toMatchObject({
      text: '1:B:1 2:B:3',
      confidence: 0.25,
      acceptedBecause: 'ensemble "joined" (custom): custom combiner join-answers.mjs: joined 2',
    });
    const broken = await h.waitFor('custom-2');
    expect(broken.state).toBe('failed');
    expect(broken.error?.message).toBe(`ensemble "broken": cannot read the combiner module ${join(dir, 'missing.mjs')} (ENOENT)`);
    expect(broken.members?.map((m) => m.outcome)).toEqual(['answered']);
  });

  it("load only a combiner the fleet file names, whatever the job's data says (it travels in Redis)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flows-combiner-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'join-answers.mjs'), 'export function combine(members) { return { text: String(members.length) }; }\n');
    await writeFile(join(dir, 'planted.mjs'), 'export function combine() { return { text: "planted" }; }\n');
    const h = await startFleetHarness({
      scenario: SCENARIO,
      flows: false,
      fleet: withFlows({ ensembles: { joined: { members: [{ model: SMALL }], combine: 'custom', combiner: 'join-answers.mjs' } } }),
    });
    fleet = h;
    await h.producer.enqueue({ id: 'planted-1', strategy: 'ensemble', flow: 'joined', prompt: 'Quiz: which letter is right?' });
    // Someone who can write job data (Bull Board in write mode, say) points the plan at another module.
    const job = await h.queues.flows.getJob('planted-1');
    if (job === undefined || job.data.flow.kind !== 'ensemble') throw new Error('no ensemble parent');
    await job.updateData({ ...job.data, flow: { ...job.data.flow, plan: { ...job.data.flow.plan, combiner: 'planted.mjs' } } });
    startFlowsWorker(h, h.queues, { baseDir: dir });
    const result = await h.waitFor('planted-1');
    expect(result.state).toBe('failed');
    expect(result.error?.message).toMatch(/combiner planted\.mjs is not one the fleet file names; not loaded/);
  });

  it('survive a parent that dies after adding a member: the retried parent adds no second child', async () => {
    const h = await startFleetHarness({ scenario: SCENARIO, flows: false, fleet: withFlows({ ensembles: { trio: { members: TRIO, combine: 'vote', extractor: { kind: 'choice' } } } }) });
    fleet = h;
    // The first child is added, then the parent's run dies (as a crashed worker's would); BullMQ runs the parent again.
    let crashes = 1;
    const crashing = aroundAdd(h.queues, async (add) => {
      const added = await add();
      if (crashes-- > 0) throw new Error('worker died after adding a child');
      return added;
    });
    startFlowsWorker(h, crashing);
    await h.producer.enqueue({ id: 'crash-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });
    const result = await h.waitFor('crash-1');
    expect(result.state).toBe('completed');
    const parent = await h.queues.flows.getJob('crash-1');
    // One run that died, one that completed.
    expect(parent?.attemptsMade).toBe(2);
    expect(crashes).toBeLessThan(0);
    for (const model of [SMALL, MEDIUM, LARGE]) expect(calls(h, model)).toBe(1);
    expect(await h.queues.queue('small').getJobCounts('completed', 'failed', 'waiting')).toEqual({ completed: 1, failed: 0, waiting: 0 });
    expect(result.members?.map((m) => m.outcome)).toEqual(['answered', 'answered', 'answered']);
  });

  it('end as cancelled when the client cancels while the members wait; the members are not called', async () => {
    const h = await startFleetHarness({ scenario: SCENARIO, workers: [], fleet: withFlows({ ensembles: { trio: { members: TRIO, combine: 'vote' } } }) });
    fleet = h;
    await h.producer.enqueue({ id: 'cancel-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });
    await expect.poll(async () => (await h.read('cancel-1'))?.members?.every((m) => m.outcome === 'queued'), { timeout: 5_000 }).toBe(true);
    const outcome = await cancelJob({ fleetName: h.fleet.name, queues: h.queues, redis: h.redis, keepSeconds: 60 }, 'cancel-1');
    expect(outcome).toEqual({ state: 'cancelling' });
    // Its queued members are removed, so the parent resumes at once and ends as cancelled: no tier worker is needed.
    const result = await h.waitFor('cancel-1', ['cancelled', 'completed', 'failed']);
    expect(result).toMatchObject({ state: 'cancelled', error: { message: 'cancelled by client' } });
    expect(result.members).toHaveLength(3);
    expect(await h.queues.queue('small').getJob('cancel-1--m1')).toBeUndefined();
    for (const tier of ['small', 'medium', 'large']) await h.startWorker(tier);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const model of [SMALL, MEDIUM, LARGE]) expect(calls(h, model)).toBe(0);
  });

  it('call no model when the cancel lands while the parent adds its members (the cancel could not see them yet)', async () => {
    const h = await startFleetHarness({ scenario: SCENARIO, workers: [], flows: false, fleet: withFlows({ ensembles: { trio: { members: TRIO, combine: 'vote' } } }) });
    fleet = h;
    const cancel = (): ReturnType<typeof cancelJob> => cancelJob({ fleetName: h.fleet.name, queues: h.queues, redis: h.redis, keepSeconds: 60 }, 'race-1');
    let outcome: Awaited<ReturnType<typeof cancelJob>> | undefined;
    // The client cancels just as the parent adds its first member: the member is not in its queue yet.
    const cancelling = aroundAdd(h.queues, async (add) => {
      outcome ??= await cancel();
      await new Promise((resolve) => setTimeout(resolve, 100)); // the workers hear the cancel and look for the members
      return add();
    });
    startFlowsWorker(h, cancelling);
    await h.producer.enqueue({ id: 'race-1', strategy: 'ensemble', flow: 'trio', prompt: 'Quiz: which letter is right?' });
    const result = await h.waitFor('race-1', ['cancelled', 'completed', 'failed']);
    expect(outcome).toEqual({ state: 'cancelling' });
    expect(result).toMatchObject({ state: 'cancelled', error: { message: 'cancelled by client' } });
    for (const tier of ['small', 'medium', 'large']) await h.startWorker(tier);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const model of [SMALL, MEDIUM, LARGE]) expect(calls(h, model)).toBe(0);
    for (const [tier, id] of [['small', 'race-1--m1'], ['medium', 'race-1--m2'], ['large', 'race-1--m3']] as const) {
      expect(await h.queues.queue(tier).getJob(id)).toBeUndefined();
    }
  });
});

describe('pipelines', () => {
  it('run steps in sequence, each fed the previous output; the result lists every step', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, fleet: withFlows({ pipelines: { chain: PIPELINE } }) });
    const receipt = await fleet.producer.enqueue({ id: 'pipe-1', strategy: 'pipeline', flow: 'chain', document: 'the memo' });
    expect(receipt.route.reason).toBe(`pipeline "chain": 3 steps (extract on small/${SMALL} → structure on medium/${MEDIUM} → check on large/${LARGE}); a failed step: fail`);
    const result = await fleet.waitFor('pipe-1');
    expect(result.state).toBe('completed');
    expect(result.steps?.map((s) => [s.step, s.name, s.tier, s.model, s.outcome, s.output])).toEqual([
      [1, 'extract', 'small', SMALL, 'answered', 'EXTRACT the memo'],
      [2, 'structure', 'medium', MEDIUM, 'answered', 'STRUCTURE EXTRACT the memo'],
      [3, 'check', 'large', LARGE, 'answered', 'CHECK STRUCTURE EXTRACT the memo AGAINST the memo'],
    ]);
    expect(result.answer).toMatchObject({
      text: 'CHECK STRUCTURE EXTRACT the memo AGAINST the memo',
      tier: 'large',
      model: LARGE,
      acceptedBecause: 'pipeline "chain" (extract → structure → check): the last step\'s output',
    });
    expect(result.flow).toEqual({ kind: 'pipeline', name: 'chain', policy: 'fail' });
    expect(result.attempts.map((a) => a.tier)).toEqual(['small', 'medium', 'large']);
    expect(result.costUsd).toBeCloseTo((result.steps ?? []).reduce((sum, s) => sum + s.costUsd, 0), 8);
  });

  it("run again under an id whose reservation expired: the old steps still in their queues do not answer for the new ones", async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, fleet: withFlows({ pipelines: { chain: PIPELINE } }) });
    const h = fleet;
    await h.producer.enqueue({ id: 'pipe-again', strategy: 'pipeline', flow: 'chain', document: 'the memo' });
    expect((await h.waitFor('pipe-again')).answer?.text).toBe('CHECK STRUCTURE EXTRACT the memo AGAINST the memo');
    // BullMQ removed the parent past its age; its steps linger in quieter queues.
    await h.redis.del(jobIndexKey(h.fleet.name, 'pipe-again'));
    await h.queues.flows.remove('pipe-again', { removeChildren: false });
    expect(await h.producer.enqueue({ id: 'pipe-again', strategy: 'pipeline', flow: 'chain', document: 'the letter' })).toMatchObject({ created: true });
    const again = await h.waitFor('pipe-again');
    expect(again.steps?.map((s) => s.output)).toEqual(['EXTRACT the letter', 'STRUCTURE EXTRACT the letter', 'CHECK STRUCTURE EXTRACT the letter AGAINST the letter']);
  });

  it('continue a conversation: the first step gets its history, later steps only their input, and the exchange is added', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, fleet: withFlows({ pipelines: { chain: PIPELINE } }) });
    const sent: [string, string][][] = [];
    fleet.sdk.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { messages?: { role?: string; content?: { text?: string }[] }[] };
        sent.push((input.messages ?? []).map((m): [string, string] => [m.role ?? '', (m.content ?? []).map((b) => b.text ?? '').join(' | ')]));
        return next(args);
      },
      { step: 'initialize', name: 'recordConverseCalls' },
    );
    const store = createConversationStore({ redis: fleet.redis, fleetName: fleet.fleet.name, limits: fleet.fleet.conversations });

    await fleet.producer.enqueue({ id: 'talk-1', tenant: 'acme', conversation: 'c-1', tier: 'small', prompt: 'My name is Ada.' });
    expect((await fleet.waitFor(scopedId('acme', 'talk-1'))).answer?.text).toBe('My name is Ada.');
    await expect.poll(async () => (await store.history('acme', 'c-1')).length).toBe(1);

    await fleet.producer.enqueue({ id: 'pipe-talk', tenant: 'acme', conversation: 'c-1', strategy: 'pipeline', flow: 'chain', document: 'the memo' });
    const result = await fleet.waitFor(scopedId('acme', 'pipe-talk'));
    expect(result.state).toBe('completed');
    expect(result.conversation).toEqual({ id: 'c-1', historyTurns: 1, historyMessages: 2 });
    expect(sent.slice(1)).toEqual([
      [
        ['user', 'My name is Ada.'],
        ['assistant', 'My name is Ada.'],
        ['user', 'EXTRACT the memo'],
      ],
      [['user', 'STRUCTURE EXTRACT the memo']],
      [['user', 'CHECK STRUCTURE EXTRACT the memo AGAINST the memo']],
    ]);
    await expect.poll(async () => (await store.history('acme', 'c-1')).length).toBe(2);
    const turn = (await store.history('acme', 'c-1'))[1];
    expect(turn?.at(-1)).toEqual({ role: 'assistant', content: [{ text: result.answer?.text }] });
  });

  it('keep the steps that ran on the result when it is cancelled while the parent waits in the flows queue', async () => {
    const h = await startFleetHarness({ scenario: SCENARIO, workers: [], flows: false, fleet: withFlows({ pipelines: { chain: PIPELINE } }) });
    fleet = h;
    const worker = startFlowsWorker(h, h.queues);
    await h.producer.enqueue({ id: 'pc-1', strategy: 'pipeline', flow: 'chain', document: 'the memo' });
    await expect.poll(() => h.queues.flows.getJobState('pc-1'), { timeout: 5_000 }).toBe('waiting-children');
    // No flows worker now: once step 1 answers, the parent waits in the flows queue.
    await worker.close();
    await h.startWorker('small');
    await expect.poll(() => h.queues.flows.getJobState('pc-1'), { timeout: 5_000 }).toBe('waiting');
    const before = await h.read('pc-1');
    expect(before?.costUsd).toBeGreaterThan(0);

    const outcome = await cancelJob({ fleetName: h.fleet.name, queues: h.queues, redis: h.redis, keepSeconds: 60 }, 'pc-1');
    expect(outcome).toEqual({ state: 'cancelled' });
    const result = await h.read('pc-1');
    expect(result).toMatchObject({ state: 'cancelled', error: { message: 'cancelled by client' } });
    expect(result?.attempts.map((a) => [a.tier, a.model, a.outcome])).toEqual([['small', SMALL, 'accepted']]);
    expect(result?.costUsd).toBeCloseTo(before?.costUsd ?? 0, 10);
  });

  it('fail the parent when a step fails (it reaches failed in time, later steps pending)', async () => {
    const steps = [PIPELINE.steps[1], { ...PIPELINE.steps[0], name: 'extract-small' }, PIPELINE.steps[2]];
    fleet = await startFleetHarness({ scenario: SMALL_DOWN, fleet: withFlows({ pipelines: { chain: { steps } } }) });
    await fleet.producer.enqueue({ id: 'pipe-fail', strategy: 'pipeline', flow: 'chain', prompt: 'the memo' });
    const result = await fleet.waitFor('pipe-fail', ['completed', 'failed'], 10_000);
    expect(result.state).toBe('failed');
    expect(result.error?.message).toMatch(/^pipeline "chain": step 2 of 3 "extract-small" \(small\/.+\) failed: .+ \(onStepFailure: fail\)$/);
    expect(result.steps?.map((s) => [s.name, s.outcome])).toEqual([
      ['structure', 'answered'],
      ['extract-small', 'failed'],
      ['check', 'pending'],
    ]);
    expect(calls(fleet, LARGE)).toBe(0);
  });

  it('skip a failed step, or run it on the fallback model', async () => {
    const steps = [PIPELINE.steps[1], { ...PIPELINE.steps[0], name: 'extract-small' }, PIPELINE.steps[2]];
    fleet = await startFleetHarness({
      scenario: SMALL_DOWN,
      fleet: withFlows({ pipelines: { skipping: { steps, onStepFailure: 'skip' }, falling: { steps, onStepFailure: { fallback: LARGE_2 } } } }),
    });
    await fleet.producer.enqueue({ id: 'pipe-skip', strategy: 'pipeline', flow: 'skipping', prompt: 'memo' });
    await fleet.producer.enqueue({ id: 'pipe-fb', strategy: 'pipeline', flow: 'falling', prompt: 'memo' });
    const skipped = await fleet.waitFor('pipe-skip');
    expect(skipped.steps?.map((s) => [s.name, s.outcome, s.output])).toEqual([
      ['structure', 'answered', 'STRUCTURE memo'],
      ['extract-small', 'skipped', undefined],
      ['check', 'answered', 'CHECK STRUCTURE memo AGAINST memo'],
    ]);
    expect(skipped.answer?.acceptedBecause).toMatch(/the last step's output; step 2 of 3 "extract-small" .* failed \(.+\); skipped$/);
    const fallback = await fleet.waitFor('pipe-fb');
    expect(fallback.steps?.map((s) => [s.name, s.model, s.fallback, s.outcome, s.output])).toEqual([
      ['structure', MEDIUM, false, 'answered', 'STRUCTURE memo'],
      ['extract-small', SMALL, false, 'replaced', undefined],
      ['extract-small', LARGE_2, true, 'answered', 'EXTRACT STRUCTURE memo'],
      ['check', LARGE, false, 'answered', 'CHECK EXTRACT STRUCTURE memo AGAINST memo'],
    ]);
  });
});
