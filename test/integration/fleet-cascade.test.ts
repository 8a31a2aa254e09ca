import calculateSlot from 'cluster-key-slot';
import { afterEach, describe, expect, it } from 'vitest';
import { cancelJob, type CancelOutcome } from '../../src/queue/cancel-job.js';
import { fleetPrefix, jobIndexKey } from '../../src/queue/queue-names.js';
import { aroundAdd } from '../helpers/around-add.js';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

/** Small and medium models are unsure about "hard" questions; the large tier is sure. */
const CASCADE_SCENARIO = {
  seed: 7,
  defaults: { answer: { mode: 'plausible', confidence: 0.9, outputTokens: 20 } },
  models: {
    [MODELS.small[0]]: { answer: { rules: [{ match: '\\bhard\\b', reply: 'Maybe 41.', confidence: 0.3 }] } },
    [MODELS.medium[0]]: { answer: { rules: [{ match: '\\bhard\\b', reply: 'Probably 42.', confidence: 0.6 }] } },
    [MODELS.large[0]]: { answer: { rules: [{ match: '\\bhard\\b', reply: 'The answer is 42.', confidence: 0.95 }] } },
  },
};

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('cascade jobs', () => {
  it('escalate from small through medium to large; the result shows every attempt', async () => {
    fleet = await startFleetHarness({ scenario: CASCADE_SCENARIO });
    const receipt = await fleet.producer.enqueue({ id: 'hard-1', strategy: 'cascade', prompt: 'A hard question: what is 6 x 7?' });
    expect(receipt).toMatchObject({ id: 'hard-1', tier: 'small', created: true });
    expect(receipt.route.reason).toMatch(/lowest tier/);

    const result = await fleet.waitFor('hard-1');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ text: 'The answer is 42.', tier: 'large', model: MODELS.large[0], confidence: 0.95 });
    expect(result.attempts.map((a) => [a.tier, a.model, a.outcome, a.confidence])).toEqual([
      ['small', MODELS.small[0], 'escalated', 0.3],
      ['medium', MODELS.medium[0], 'escalated', 0.6],
      ['large', MODELS.large[0], 'accepted', 0.95],
    ]);
    for (const attempt of result.attempts) {
      expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
      expect(attempt.usage?.outputTokens).toBeGreaterThan(0);
      expect(attempt.costUsd).toBeGreaterThan(0);
    }
    expect(result.costUsd).toBeCloseTo(result.attempts.reduce((sum, a) => sum + a.costUsd, 0), 8);
  });

  it('stop at the first tier whose answer is confident enough', async () => {
    fleet = await startFleetHarness({ scenario: CASCADE_SCENARIO });
    await fleet.producer.enqueue({ id: 'easy-1', strategy: 'cascade', prompt: 'An easy question: what is 2 + 2?' });
    const result = await fleet.waitFor('easy-1');
    expect(result.answer).toMatchObject({ tier: 'small', confidence: 0.9 });
    expect(result.answer?.text).not.toMatch(/confidence/i);
    expect(result.attempts).toHaveLength(1);
  });

  it('send the same conversation, system prompt included, to the higher tier', async () => {
    fleet = await startFleetHarness({ scenario: CASCADE_SCENARIO, workers: ['small', 'medium', 'large'] });
    await fleet.producer.enqueue({
      id: 'conv-1',
      strategy: 'cascade',
      system: 'You are terse.',
      messages: [
        { role: 'user', content: [{ text: 'Remember the number 6.' }] },
        { role: 'assistant', content: [{ text: 'Noted.' }] },
        { role: 'user', content: [{ text: 'A hard one: multiply it by 7.' }] },
      ],
    });
    const result = await fleet.waitFor('conv-1');
    expect(result.answer?.tier).toBe('large');
    const small = fleet.emulator.state.stats.snapshot().models[MODELS.small[0]];
    const large = fleet.emulator.state.stats.snapshot().models[MODELS.large[0]];
    expect(small?.inputTokens).toBeGreaterThan(0);
    expect(large?.inputTokens).toBe(small?.inputTokens);
  });

  it('route jobs go to the routing table tier and never escalate', async () => {
    fleet = await startFleetHarness({ scenario: CASCADE_SCENARIO });
    const receipt = await fleet.producer.enqueue({ id: 'sum-1', task: 'summarization', document: 'A hard day at the office.' });
    expect(receipt.tier).toBe('medium');
    expect(receipt.route.reason).toMatch(/summarization/);
    const result = await fleet.waitFor('sum-1');
    expect(result.answer).toMatchObject({ tier: 'medium', model: MODELS.medium[0] });
    expect(result.attempts).toHaveLength(1);
    expect(result.route.reason).toBe(receipt.route.reason);
  });

  it('streamed jobs record time to first token on every attempt', async () => {
    fleet = await startFleetHarness({ scenario: { ...CASCADE_SCENARIO, defaults: { ...CASCADE_SCENARIO.defaults, latency: { baseMs: 20 } } } });
    await fleet.producer.enqueue({ id: 'stream-1', strategy: 'cascade', stream: true, prompt: 'A hard question, streamed.' });
    const result = await fleet.waitFor('stream-1');
    expect(result.answer?.tier).toBe('large');
    expect(result.attempts).toHaveLength(3);
    for (const attempt of result.attempts) {
      expect(attempt.firstTokenMs).toBeGreaterThan(0);
      expect(attempt.firstTokenMs).toBeLessThanOrEqual(attempt.latencyMs);
    }
  });

  it('keep every key of the fleet, escalation children included, in one Redis Cluster slot', async () => {
    fleet = await startFleetHarness({ scenario: CASCADE_SCENARIO });
    await fleet.producer.enqueue({ id: 'slot-1', strategy: 'cascade', prompt: 'A hard question.' });
    await fleet.waitFor('slot-1');
    const keys = await fleet.redis.keys(`${fleetPrefix(fleet.fleet.name)}:*`);
    expect(keys.some((k) => k.includes('tier-large'))).toBe(true);
    expect(keys.some((k) => k.includes('job-index'))).toBe(true);
    expect(new Set(keys.map((k) => calculateSlot(k))).size).toBe(1);
  });

  it('call no higher tier when the cancel lands as the job escalates (the cancel could not see the child yet)', async () => {
    fleet = await startFleetHarness({ scenario: CASCADE_SCENARIO, workers: ['medium', 'large'] });
    const h = fleet;
    let outcome: CancelOutcome | undefined;
    // The client cancels just as the small worker adds the escalation: the child is not in its queue yet.
    await h.startWorker(
      'small',
      aroundAdd(h.queues, async (add) => {
        outcome ??= await cancelJob({ fleetName: h.fleet.name, queues: h.queues, redis: h.redis, keepSeconds: 60 }, 'esc-race');
        return add();
      }),
    );
    await h.producer.enqueue({ id: 'esc-race', strategy: 'cascade', prompt: 'A hard question.' });
    const result = await h.waitFor('esc-race', ['cancelled', 'completed', 'failed']);
    expect(outcome).toEqual({ state: 'cancelling' });
    expect(result).toMatchObject({ state: 'cancelled', error: { message: 'cancelled by client' } });
    const calls = h.emulator.state.stats.snapshot().models;
    expect([calls[MODELS.medium[0]]?.calls, calls[MODELS.large[0]]?.calls]).toEqual([undefined, undefined]);
  });

  it('keep a result for the configured retention, and the id reserved as long', async () => {
    fleet = await startFleetHarness({
      scenario: CASCADE_SCENARIO,
      fleet: (input) => {
        input.jobs = { keepCompletedSeconds: 600, keepFailedSeconds: 900 };
      },
    });
    const h = fleet;
    await h.producer.enqueue({ id: 'keep-1', strategy: 'cascade', prompt: 'A hard question.' });
    await h.waitFor('keep-1');
    // The index expiry is set by the worker's 'completed' handler, just after the state changes.
    // Until then it carries the 30-day reservation the producer set.
    await expect.poll(() => h.redis.ttl(jobIndexKey(h.fleet.name, 'keep-1'))).toBeLessThanOrEqual(600);
    expect(await h.redis.ttl(jobIndexKey(h.fleet.name, 'keep-1'))).toBeGreaterThan(590);
    const job = await h.queues.queue('small').getJob('keep-1');
    expect(job?.opts.removeOnComplete).toEqual({ age: 600 });
    expect(job?.opts.removeOnFail).toEqual({ age: 900 });
    const child = await h.queues.queue('large').getJob('keep-1--large');
    expect(child?.opts.removeOnComplete).toEqual({ age: 600 });
  });

  it('run a job again under an id whose reservation expired while its old jobs still linger in the queues', async () => {
    // BullMQ removes finished jobs past their age only when a later job of the same queue finishes,
    // so a quiet fleet still holds yesterday's jobs (and their escalations) when their ids come free.
    fleet = await startFleetHarness({
      scenario: {
        ...CASCADE_SCENARIO,
        models: {
          ...CASCADE_SCENARIO.models,
          [MODELS.large[0]]: { answer: { rules: [{ match: '\\bagain\\b', reply: 'Again, 42.', confidence: 0.95 }, { match: '\\bhard\\b', reply: 'The answer is 42.', confidence: 0.95 }] } },
        },
      },
    });
    const h = fleet;
    const expire = (): Promise<number> => h.redis.del(jobIndexKey(h.fleet.name, 'again-1'));
    await h.producer.enqueue({ id: 'again-1', strategy: 'cascade', prompt: 'A hard question.' });
    expect((await h.waitFor('again-1')).answer?.text).toBe('The answer is 42.');

    // The parent was removed, its escalations linger: the new parent must not take their old answers.
    await expire();
    await h.queues.queue('small').remove('again-1', { removeChildren: false });
    expect(await h.queues.queue('large').getJob('again-1--large')).toBeDefined();
    expect(await h.producer.enqueue({ id: 'again-1', strategy: 'cascade', prompt: 'A hard question, asked again.' })).toMatchObject({ created: true });
    const second = await h.waitFor('again-1');
    expect(second.answer?.text).toBe('Again, 42.');
    expect(second.attempts.map((a) => a.tier)).toEqual(['small', 'medium', 'large']);

    // Everything lingers: the new job runs, it is not the old one read back.
    await expire();
    expect(await h.producer.enqueue({ id: 'again-1', strategy: 'cascade', prompt: 'An easy one.' })).toMatchObject({ created: true });
    const third = await h.waitFor('again-1');
    expect(third.answer).toMatchObject({ tier: 'small' });
    expect(third.attempts).toHaveLength(1);
    expect(await h.queues.queue('large').getJob('again-1--large')).toBeUndefined();
  });
});
