import { afterEach, describe, expect, it } from 'vitest';
import type { FinishedJob } from '../../src/queue/job-observer.js';
import { MODELS } from '../helpers/fleet-harness.js';
import { auth, startApiHarness, type ApiHarness } from '../helpers/api-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';
import { jobIndexKey } from '../../src/queue/queue-names.js';

/** The fleet-wide id of tenant acme's job or batch. */
const acme = (id: string): string => scopedId('acme', id);

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SLOW_HARD = {
  seed: 1,
  defaults: { answer: { mode: 'plausible', confidence: 0.9, outputTokens: 10 } },
  models: { [MODELS.small[0]]: { answer: { rules: [{ match: '\\bhard\\b', reply: 'Unsure.', confidence: 0.2 }] } } },
};

describe('DELETE /v1/jobs/:id', () => {
  it('removes a waiting job; it reads as cancelled and never runs', async () => {
    h = await startApiHarness({ workers: [] });
    const told: FinishedJob[] = [];
    h.fleet.observers.push({ name: 'recorder', finished: (job) => Promise.resolve(void told.push(job)) });
    await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'c-wait', prompt: 'Hi.' } });
    const cancelled = await h.app.inject({ method: 'DELETE', url: '/v1/jobs/c-wait', headers: auth('acme') });
    // No worker will ever finish it: the observers (batches, statistics, webhooks) hear of it from the cancel, once.
    expect(told.map((job) => [job.data.id, job.state, job.failedReason])).toEqual([[acme('c-wait'), 'failed', 'cancelled by client']]);
    expect(cancelled.statusCode).toBe(202);
    expect(cancelled.json()).toMatchObject({ id: 'c-wait', state: 'cancelled' });
    expect(await h.fleet.queues.queue('large').count()).toBe(0);
    const read = await h.app.inject({ url: '/v1/jobs/c-wait', headers: auth('acme') });
    expect(read.json()).toMatchObject({ id: 'c-wait', state: 'cancelled', tenant: 'acme', error: { message: 'cancelled by client' } });
    const again = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'c-wait', prompt: 'Hi.' } });
    expect(again.json()).toMatchObject({ created: false });
    // Its id stays reserved as long as its cancellation is kept (as a failed job's, with its result), not 30 days.
    const ttl = await h.fleet.redis.ttl(jobIndexKey(h.fleet.fleet.name, acme('c-wait')));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(h.fleet.fleet.jobs.keepFailedSeconds);
  });

  it('aborts a running job on its worker', async () => {
    h = await startApiHarness({ scenario: { defaults: { latency: { baseMs: 30_000 } } } });
    await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'c-run', tier: 'small', prompt: 'Hi.' } });
    await h.fleet.waitFor(acme('c-run'), ['active']);
    const cancelled = await h.app.inject({ method: 'DELETE', url: '/v1/jobs/c-run', headers: auth('acme') });
    expect(cancelled.json()).toMatchObject({ state: 'cancelling' });
    const result = await h.fleet.waitFor(acme('c-run'), ['cancelled'], 5_000);
    expect(result.attempts.at(-1)?.error?.kind).toBe('cancelled');
  });

  it('cancels an escalated job through its child', async () => {
    h = await startApiHarness({ scenario: { ...SLOW_HARD, models: { ...SLOW_HARD.models, [MODELS.medium[0]]: { latency: { baseMs: 30_000 } } } } });
    await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'c-esc', strategy: 'cascade', prompt: 'A hard one.' } });
    await h.fleet.waitFor(acme('c-esc'), ['escalated']);
    await expect.poll(async () => (await h!.fleet.queues.queue('medium').getActiveCount())).toBe(1);
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/jobs/c-esc', headers: auth('acme') })).json()).toMatchObject({ state: 'cancelling' });
    const result = await h.fleet.waitFor(acme('c-esc'), ['cancelled', 'completed', 'failed'], 5_000);
    expect(result.state).toBe('cancelled');
    // The calls of every tier it climbed through stay on the record, the aborted one included.
    expect(result.attempts.map((a) => [a.tier, a.outcome, a.error?.kind])).toEqual([
      ['small', 'escalated', undefined],
      ['medium', 'error', 'cancelled'],
    ]);
  });

  it("aborts a judge's call too: the job ends cancelled and never climbs", async () => {
    const [judge] = [MODELS.medium[1]];
    h = await startApiHarness({
      scenario: { ...SLOW_HARD, models: { ...SLOW_HARD.models, [judge]: { latency: { baseMs: 30_000 } } } },
      fleet: (input) => {
        input.cascade = { thresholds: { small: 0.7, medium: 0.7 }, policies: [{ tasks: ['qa'], scorer: 'judge', judge: { model: judge } }] };
      },
    });
    await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'c-judge', task: 'qa', strategy: 'cascade', prompt: 'Hi.' } });
    const emulator = h.fleet.emulator.state.stats;
    // The emulator counts a call when it answers: small has answered, the judge's call is under way.
    await expect.poll(() => emulator.snapshot().models[MODELS.small[0]]?.calls ?? 0).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/jobs/c-judge', headers: auth('acme') })).json()).toMatchObject({ state: 'cancelling' });
    const result = await h.fleet.waitFor(acme('c-judge'), ['cancelled', 'completed', 'failed'], 5_000);
    expect(result.state).toBe('cancelled');
    expect(result.attempts.map((a) => [a.model, a.outcome])).toEqual([
      [MODELS.small[0], 'undecided'],
      [judge, 'error'],
    ]);
    expect(await h.fleet.queues.queue('medium').count()).toBe(0);
  });

  it('answers 409 for a finished job and 404 for another tenant', async () => {
    h = await startApiHarness();
    await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'c-done', tier: 'small', prompt: 'Hi.' } });
    await h.fleet.waitFor(acme('c-done'));
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/jobs/c-done', headers: auth('globex') })).statusCode).toBe(404);
    const late = await h.app.inject({ method: 'DELETE', url: '/v1/jobs/c-done', headers: auth('acme') });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'already_finished' });
  });
});
