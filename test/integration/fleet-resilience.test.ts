import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecError } from '../../src/core/job/job-spec-error.js';
import { createProducer } from '../../src/queue/create-producer.js';
import { fleetPrefix, jobIndexKey } from '../../src/queue/queue-names.js';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

const SCENARIO = {
  seed: 3,
  defaults: { answer: { mode: 'plausible', confidence: 0.9, outputTokens: 12 } },
  models: {
    [MODELS.small[0]]: { answer: { rules: [{ match: '\\bhard\\b', reply: 'Maybe 41.', confidence: 0.3 }] } },
    [MODELS.medium[0]]: { answer: { rules: [{ match: '\\bhard\\b', reply: 'Probably 42.', confidence: 0.6 }] } },
  },
};

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const calls = (h: FleetHarness, model: string): number => h.emulator.state.stats.snapshot().models[model]?.calls ?? 0;

describe('tier workers', () => {
  it('serve a throttled primary with the tier fallback', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    fleet.emulator.state.override(MODELS.small[0], { faults: { ThrottlingException: 1 } });
    await fleet.producer.enqueue({ id: 'thr-1', tier: 'small', prompt: 'Hello there.' });
    const result = await fleet.waitFor('thr-1');
    expect(result.state).toBe('completed');
    expect(result.answer?.model).toBe(MODELS.small[1]);
    expect(result.attempts.map((a) => [a.model, a.outcome, a.error?.kind, a.fallback])).toEqual([
      [MODELS.small[0], 'error', 'throttled', false],
      [MODELS.small[1], 'accepted', undefined, true],
    ]);
  });

  it('fail an invalid request once, without retries, and leave the breaker closed', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    fleet.emulator.state.override(MODELS.small[0], { faults: { ValidationException: 1 } });
    for (const id of ['bad-1', 'bad-2', 'bad-3', 'bad-4']) {
      await fleet.producer.enqueue({ id, tier: 'small', prompt: 'Hello there.' });
      const result = await fleet.waitFor(id);
      expect(result.state).toBe('failed');
      expect(result.error?.message).toMatch(/invalid-request/);
      expect(result.attempts).toHaveLength(1);
    }
    // Four jobs, four calls: no retry, no fallback model, no second BullMQ attempt.
    expect(calls(fleet, MODELS.small[0])).toBe(4);
    expect(calls(fleet, MODELS.small[1])).toBe(0);
    const job = await fleet.queues.queue('small').getJob('bad-4');
    expect(job?.attemptsMade).toBe(1);
    expect(fleet.breakers.state(MODELS.small[0])).toBe('closed');
    // A failed job keeps its id reserved for keepFailedSeconds (a day by default), not the 30-day reservation.
    const h = fleet;
    await expect.poll(() => h.redis.ttl(jobIndexKey(h.fleet.name, 'bad-4'))).toBeLessThanOrEqual(86_400);
  });

  it('open the breaker of a failing model, move traffic to the fallback, and come back after the reset timeout', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    fleet.emulator.state.override(MODELS.small[0], { faults: { ServiceUnavailableException: 1 } });
    for (let i = 0; i < 3; i += 1) {
      await fleet.producer.enqueue({ id: `fail-${i}`, tier: 'small', prompt: 'Hello.' });
      expect((await fleet.waitFor(`fail-${i}`)).answer?.model).toBe(MODELS.small[1]);
    }
    expect(fleet.breakers.state(MODELS.small[0])).toBe('open');
    const callsWhenOpened = calls(fleet, MODELS.small[0]);

    await fleet.producer.enqueue({ id: 'open-1', tier: 'small', prompt: 'Hello.' });
    const skipped = await fleet.waitFor('open-1');
    expect(skipped.answer?.model).toBe(MODELS.small[1]);
    expect(skipped.attempts[0]).toMatchObject({ model: MODELS.small[0], outcome: 'breaker-open', costUsd: 0 });
    expect(calls(fleet, MODELS.small[0])).toBe(callsWhenOpened);

    fleet.emulator.state.clearOverrides();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the test fleet's resetTimeoutMs is 1,000
    await fleet.producer.enqueue({ id: 'back-1', tier: 'small', prompt: 'Hello.' });
    const back = await fleet.waitFor('back-1');
    expect(back.answer?.model).toBe(MODELS.small[0]);
    expect(back.attempts).toHaveLength(1);
    expect(fleet.breakers.state(MODELS.small[0])).toBe('closed');
  });

  it('make a job wait without spending an attempt while every model of the tier is throttled', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    for (const model of MODELS.small) fleet.emulator.state.override(model, { faults: { ThrottlingException: 1 } });
    await fleet.producer.enqueue({ id: 'wait-1', tier: 'small', prompt: 'Hello.' });
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(calls(fleet, MODELS.small[0])).toBeGreaterThanOrEqual(2); // retried after each pause
    const waiting = await fleet.read('wait-1');
    expect(waiting?.state).toMatch(/queued|active/);
    fleet.emulator.state.clearOverrides();
    const result = await fleet.waitFor('wait-1');
    expect(result.state).toBe('completed');
    const job = await fleet.queues.queue('small').getJob('wait-1');
    expect(job?.attemptsMade).toBe(1); // the throttled rounds did not count against jobAttempts (2)
    // Every throttled call stays on the record (and so reaches the statistics), before the answer.
    const throttled = result.attempts.filter((a) => a.error?.kind === 'throttled').length;
    expect(throttled).toBe(calls(fleet, MODELS.small[0]) + calls(fleet, MODELS.small[1]) - 1);
    expect(result.attempts.at(-1)?.outcome).toBe('accepted');
  });

  it('tell the observers of a finished job once; when its worker died before telling them, a sweep tells them', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [], observerSweep: { intervalMs: 100, afterMs: 300, withinMs: 60_000 } });
    const h = fleet;
    const told: string[] = [];
    h.observers.push({ name: 'recorder', finished: (job) => Promise.resolve(void told.push(job.data.id)) });
    await h.startWorker('large');
    await h.producer.enqueue({ id: 'told-1', tier: 'large', prompt: 'Hello.' });
    await h.waitFor('told-1');
    await expect.poll(() => told).toEqual(['told-1']);
    await new Promise((resolve) => setTimeout(resolve, 800)); // several sweeps: none tells it again
    expect(told).toEqual(['told-1']);

    // As if its worker had died between the job's finish and its observers: the job is finished, nobody told.
    const marks = await h.redis.keys(`${fleetPrefix(h.fleet.name)}:told:told-1:*`);
    expect(marks).toHaveLength(1);
    await h.redis.del(...marks);
    await expect.poll(() => told, { timeout: 5_000 }).toEqual(['told-1', 'told-1']);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(told).toHaveLength(2);
  });

  it('leave to themselves jobs finished before the fleet began marking told ones (an upgrade): the sweep does not tell them again', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [], observerSweep: { intervalMs: 100, afterMs: 300, withinMs: 60_000 } });
    const h = fleet;
    const told: string[] = [];
    h.observers.push({ name: 'recorder', finished: (job) => Promise.resolve(void told.push(job.data.id)) });
    // Marking began after this job will have finished (as when workers that mark replace ones that did not).
    await h.redis.set(`${fleetPrefix(h.fleet.name)}:told-since`, String(Date.now() + 60_000));
    await h.startWorker('large');
    await h.producer.enqueue({ id: 'old-1', tier: 'large', prompt: 'Hello.' });
    await h.waitFor('old-1');
    await expect.poll(() => told).toEqual(['old-1']);
    await h.redis.del(...(await h.redis.keys(`${fleetPrefix(h.fleet.name)}:told:old-1:*`)));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(told).toEqual(['old-1']);
  });

  it("hold the tier's other jobs back while its queue pauses for throttling, on every worker", async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, fleet: (input) => void Object.assign(input.workers as object, { throttledPauseMs: 3_000 }) });
    const h = fleet;
    for (const model of MODELS.small) h.emulator.state.override(model, { faults: { ThrottlingException: 1 } });
    await h.producer.enqueue({ id: 'pause-1', tier: 'small', prompt: 'Hello.' });
    const queue = h.queues.queue('small');
    await expect.poll(() => queue.getRateLimitTtl(), { timeout: 5_000 }).toBeGreaterThan(1_000);
    // The throttling ends, and a new job comes, with a second worker idle: nothing is taken before the pause ends.
    h.emulator.state.clearOverrides();
    await h.startWorker('small');
    const enqueuedAt = Date.now();
    const pauseLeft = await queue.getRateLimitTtl();
    await h.producer.enqueue({ id: 'pause-2', tier: 'small', prompt: 'Hello again.' });
    const second = await h.waitFor('pause-2', ['completed'], 10_000);
    // Its one call started only once the pause was over.
    expect(pauseLeft).toBeGreaterThan(1_000);
    expect((second.attempts[0]?.startedAt ?? 0) - enqueuedAt).toBeGreaterThanOrEqual(pauseLeft - 50);
    expect((await h.waitFor('pause-1')).state).toBe('completed');
  });

  it('retry transient failures with BullMQ attempts and record each', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    for (const model of MODELS.small) fleet.emulator.state.override(model, { faults: { InternalServerException: 1 } });
    await fleet.producer.enqueue({ id: 'tr-1', tier: 'small', prompt: 'Hello.' });
    const result = await fleet.waitFor('tr-1');
    expect(result.state).toBe('failed');
    // jobAttempts 2 × two models × attemptsPerModel 1
    expect(result.attempts.map((a) => a.error?.kind)).toEqual(['transient', 'transient', 'transient', 'transient']);
  });
});

describe('a failed escalation', () => {
  it('fails its parent with a clear error under onChildFailure: fail', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    for (const model of MODELS.large) fleet.emulator.state.override(model, { faults: { ValidationException: 1 } });
    await fleet.producer.enqueue({ id: 'esc-fail', strategy: 'cascade', prompt: 'A hard question.' });
    const result = await fleet.waitFor('esc-fail');
    expect(result.state).toBe('failed');
    expect(result.error?.message).toMatch(/escalation to tier medium failed: .*escalation to tier large failed/);
    expect(result.attempts.map((a) => [a.tier, a.outcome])).toEqual([
      ['small', 'escalated'],
      ['medium', 'escalated'],
      ['large', 'error'],
    ]);
  });

  it('completes its parent with the best answer it had under onChildFailure: best-answer', async () => {
    fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: (input) => {
        input.cascade = { thresholds: { small: 0.7, medium: 0.8 }, onChildFailure: 'best-answer' };
      },
    });
    for (const model of MODELS.large) fleet.emulator.state.override(model, { faults: { ValidationException: 1 } });
    await fleet.producer.enqueue({ id: 'esc-best', strategy: 'cascade', prompt: 'A hard question.' });
    const result = await fleet.waitFor('esc-best');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ tier: 'medium', text: 'Probably 42.', confidence: 0.6 });
    expect(result.answer?.acceptedBecause).toMatch(/best answer kept: escalation to tier large failed/);
    expect(result.attempts.map((a) => a.tier)).toEqual(['small', 'medium', 'large']);
  });
});

describe('the producer', () => {
  /** A reservation as the producer makes it (30 days). */
  const RESERVATION_SECONDS = 30 * 86_400;

  it('makes one job of the same id enqueued twice, even at once', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [] });
    const receipts = await Promise.all(
      Array.from({ length: 5 }, () => fleet!.producer.enqueue({ id: 'same-1', tier: 'small', prompt: 'Hi.' })),
    );
    expect(receipts.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(receipts.map((r) => r.tier))).toEqual(new Set(['small']));
    const again = await fleet.producer.enqueue({ id: 'same-1', tier: 'small', prompt: 'Hi.' });
    expect(again.created).toBe(false);
    expect(await fleet.queues.queue('small').getWaitingCount()).toBe(1);
    expect((await fleet.read('same-1'))?.state).toBe('queued');
  });

  it("answers not created for an id another enqueue reserved and adds a moment later, and tells when its request differs", async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [] });
    const h = fleet;
    // Another enqueue (another API replica, say) has reserved both ids and is about to add their jobs.
    const other = (id: string, prompt: string) => h.producer.prepare({ id, tier: 'small', prompt });
    const theirs = [other('race-1', 'Hi.'), other('race-2', 'Hi.')];
    for (const job of theirs) await h.redis.set(jobIndexKey(h.fleet.name, job.id), 'small', 'EX', RESERVATION_SECONDS);
    const ours = Promise.all([h.producer.enqueue({ id: 'race-1', tier: 'small', prompt: 'Hi.' }), h.producer.enqueue({ id: 'race-2', tier: 'small', prompt: 'Bye.' })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const job of theirs) await h.queues.queue('small').add('job', { id: job.id, route: job.route, fingerprint: job.fingerprint } as never, { jobId: job.id });
    const [same, differs] = await ours;
    expect(same).toMatchObject({ id: 'race-1', created: false });
    expect(same.differs).toBeUndefined();
    expect(differs).toMatchObject({ id: 'race-2', created: false, differs: true });
    expect(await h.queues.queue('small').getWaitingCount()).toBe(2);
  });

  it('takes an id for free when the enqueue that reserved it adds no job: at once when it lets the id go or reserved it long ago, after the wait when it died; one taker only', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [] });
    const h = fleet;
    const producer = createProducer({ fleet: h.fleet, queues: h.queues, redis: h.redis, placementWaitMs: 1_000 });
    const reserve = (id: string, seconds = RESERVATION_SECONDS) => h.redis.set(jobIndexKey(h.fleet.name, id), 'small', 'EX', seconds);

    // Its add failed, and it let the reservation go.
    await reserve('gone-1');
    const letGo = producer.enqueue({ id: 'gone-1', tier: 'small', prompt: 'Hi.' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await h.redis.del(jobIndexKey(h.fleet.name, 'gone-1'));
    expect(await letGo).toMatchObject({ created: true });

    // It died between reserving and adding: the id is free once the wait is over.
    await reserve('dead-1');
    const started = performance.now();
    expect(await producer.enqueue({ id: 'dead-1', tier: 'small', prompt: 'Hi.' })).toMatchObject({ created: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(await h.redis.ttl(jobIndexKey(h.fleet.name, 'dead-1'))).toBeGreaterThan(86_400);

    // Reserved long ago, its job gone (removed before its reservation expired): taken at once, not waited on.
    await reserve('old-1', 86_400);
    const at = performance.now();
    expect(await producer.enqueue({ id: 'old-1', tier: 'small', prompt: 'Hi.' })).toMatchObject({ created: true });
    expect(performance.now() - at).toBeLessThan(500);
    expect(await h.queues.queue('small').getWaitingCount()).toBe(3);

    // Two enqueues (two replicas) find the same stale reservation at once: one takes it over, the other gets its job.
    await reserve('old-2', 86_400);
    const other = createProducer({ fleet: h.fleet, queues: h.queues, redis: h.redis, placementWaitMs: 1_000 });
    const both = await Promise.all([producer.enqueue({ id: 'old-2', tier: 'small', prompt: 'Hi.' }), other.enqueue({ id: 'old-2', tier: 'small', prompt: 'Hi.' })]);
    expect(both.map((r) => r.created).sort()).toEqual([false, true]);
    expect(await h.queues.queue('small').getWaitingCount()).toBe(4);

    // Waiting on a dead reservation, it sees another enqueue take it over (its time to live goes up): it gives that
    // one the whole wait to add its job, rather than taking it over again.
    await reserve('dead-2');
    const waiting = producer.enqueue({ id: 'dead-2', tier: 'small', prompt: 'Hi.' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const taker = h.producer.prepare({ id: 'dead-2', tier: 'small', prompt: 'Hi.' });
    await reserve('dead-2');
    await new Promise((resolve) => setTimeout(resolve, 800));
    await h.queues.queue('small').add('job', { id: taker.id, route: taker.route, fingerprint: taker.fingerprint } as never, { jobId: taker.id });
    expect(await waiting).toMatchObject({ id: 'dead-2', created: false });
    expect(await h.queues.queue('small').getWaitingCount()).toBe(5);
  });

  it('adds the ids it holds before waiting on ids another enqueue holds, so two replicas given the same batch do not wait on each other', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [] });
    const h = fleet;
    const [ours, theirs] = [h.producer.prepare({ id: 'pair-1', tier: 'small', prompt: 'One.' }), h.producer.prepare({ id: 'pair-2', tier: 'small', prompt: 'Two.' })];
    // The other replica won pair-2's reservation and, before adding it, waits on pair-1, which this one holds.
    await h.redis.set(jobIndexKey(h.fleet.name, theirs.id), 'small', 'EX', RESERVATION_SECONDS);
    const started = performance.now();
    const running = h.producer.enqueuePrepared([ours, theirs]);
    const queue = h.queues.queue('small');
    for (let waited = 0; (await queue.getJob(ours.id)) === undefined; waited += 20) {
      if (waited > 2_000) throw new Error('pair-1 was not added while pair-2 was waited on');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await queue.add('job', { id: theirs.id, route: theirs.route, fingerprint: theirs.fingerprint } as never, { jobId: theirs.id });
    const receipts = await running;
    expect(receipts.find((r) => r.id === ours.id)?.created).toBe(true);
    expect(receipts.find((r) => r.id === theirs.id)?.created).toBe(false);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('refuses bad jobs with the field named, and enqueues nothing of them', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [] });
    const refused = async (job: unknown): Promise<string[]> => {
      try {
        await fleet!.producer.enqueue(job);
      } catch (error) {
        if (error instanceof JobSpecError) return error.problems.map((p) => p.field);
        throw error;
      }
      throw new Error('the job was accepted');
    };
    expect(await refused({ id: 'r1', tier: 'huge', prompt: 'Hi.' })).toEqual(['tier']);
    expect(await refused({ id: 'r2', prompt: '   ' })).toEqual(['prompt']);
    expect(await refused({ id: 'r3' })).toEqual(['input']);
    expect(await refused({ id: 'r4', task: 'summarization', document: 'x'.repeat(400_001) })).toEqual(['document']);
    expect(await refused({ id: 'r5', model: 'amazon.nova-unknown-v1:0', prompt: 'Hi.' })).toEqual(['model']);
    expect(await refused({ id: '12345', prompt: 'Hi.' })).toEqual(['id']);
    for (const queue of fleet.queues.all()) {
      const counts = await queue.getJobCounts();
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    }
    expect(await fleet.redis.exists(jobIndexKey(fleet.fleet.name, 'r1'))).toBe(0);
  });
});
