import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { FleetBudgetReport } from '../../src/core/budgets/budget-report.js';
import { createSpendStore } from '../../src/queue/budgets/spend-store.js';
import { cancelJob } from '../../src/queue/cancel-job.js';
import { createStatsObserver } from '../../src/queue/stats/create-stats-observer.js';
import type { FleetStats } from '../../src/queue/stats/read-fleet-stats.js';
import { createBreakerStatePublisher } from '../../src/resilience/breaker-state-publisher.js';
import { ADMIN_KEY, USER_KEY, startDashboardFleet, type DashboardFleet } from '../helpers/dashboard-fleet.js';
import { MODELS } from '../helpers/fleet-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

let fleet: DashboardFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const PAGE = { accept: 'text/html,application/xhtml+xml' };
const JSON_ONLY = { accept: 'application/json' };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'fleet_admin');
  if (cookie === undefined) throw new Error('no session cookie was set');
  return `fleet_admin=${cookie.value}`;
}

async function login(f: DashboardFleet, key: string): Promise<LightMyRequestResponse> {
  return f.app.inject({ method: 'POST', url: '/admin/login', ...formEncoded({ key }) });
}

function formEncoded(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return {
    payload: new URLSearchParams(fields).toString(),
    headers: { ...PAGE, 'content-type': 'application/x-www-form-urlencoded' },
  };
}

async function stats(f: DashboardFleet): Promise<FleetStats> {
  const response = await f.app.inject({ url: '/admin/api/stats', headers: { ...JSON_ONLY, ...bearer(ADMIN_KEY) } });
  expect(response.statusCode).toBe(200);
  return response.json<FleetStats>();
}

/** The stats observer runs after BullMQ records the job, so the job shows up in the stats a moment after it completes. */
async function statsWithJob(f: DashboardFleet, id: string): Promise<FleetStats> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const current = await stats(f);
    if (current.recentJobs.some((j) => j.id === id)) return current;
    if (Date.now() > deadline) throw new Error(`job ${id} never showed up in the fleet statistics`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('dashboards: authentication', () => {
  it('send pages to the login form and give everything else 401, under /admin only', async () => {
    fleet = await startDashboardFleet({ beforeDashboards: (app) => app.get('/health', () => ({ ok: true })) });
    const { app } = fleet;

    const overview = await app.inject({ url: '/admin', headers: PAGE });
    expect(overview.statusCode).toBe(303);
    expect(overview.headers.location).toBe('/admin/login');
    const board = await app.inject({ url: '/admin/queues', headers: PAGE });
    expect(board.statusCode).toBe(303);

    for (const url of ['/admin/api/stats', '/admin/queues/api/queues', '/admin/assets/chart.umd.min.js', '/admin/assets/overview.js']) {
      const response = await app.inject({ url, headers: JSON_ONLY });
      expect(response.statusCode, url).toBe(401);
      const body = response.json<{ code: string; message: string }>();
      expect(body.code, url).toBe('unauthorized');
      expect(body.message, url).toMatch(/Bearer/);
    }
    const write = await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/tier-small/retry/failed' });
    expect(write.statusCode).toBe(401);

    const form = await app.inject({ url: '/admin/login', headers: PAGE });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    expect(form.body).toContain('name="key"');
    expect(form.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await app.inject({ url: '/admin/assets/dashboard.css' })).statusCode).toBe(200);

    // Routes outside the dashboards are not guarded by their hook.
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('refuse a key whose tenant is not an admin, and an unknown key', async () => {
    fleet = await startDashboardFleet();
    for (const key of [USER_KEY, 'not-a-key-at-all-0000000']) {
      const response = await login(fleet, key);
      expect(response.statusCode, key).toBe(401);
      expect(response.body).toContain('not an admin');
      expect(response.body).toContain('name="key"');
      expect(response.cookies.find((c) => c.name === 'fleet_admin')).toBeUndefined();
    }
    const userBearer = await fleet.app.inject({ url: '/admin/api/stats', headers: { ...JSON_ONLY, ...bearer(USER_KEY) } });
    expect(userBearer.statusCode).toBe(401);
  });

  it('log an admin in with a signed, httpOnly, SameSite=Strict cookie that opens every page', async () => {
    fleet = await startDashboardFleet();
    const { app } = fleet;
    const response = await login(fleet, ADMIN_KEY);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin');
    const cookie = response.cookies.find((c) => c.name === 'fleet_admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    expect(cookie?.value).toMatch(/^ops\|\d+\./);
    const session = sessionCookie(response);

    const overview = await app.inject({ url: '/admin', headers: { ...PAGE, cookie: session } });
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('/admin/assets/chart.umd.min.js');
    expect(overview.body).toContain('id="recent-jobs"');
    expect(overview.body).not.toMatch(/https?:\/\//); // nothing from a CDN

    const chart = await app.inject({ url: '/admin/assets/chart.umd.min.js', headers: { cookie: session } });
    expect(chart.statusCode).toBe(200);
    expect(chart.headers['content-type']).toMatch(/^text\/javascript/);
    expect(chart.body.length).toBeGreaterThan(100_000);
    const script = await app.inject({ url: '/admin/assets/overview.js', headers: { cookie: session } });
    expect(script.statusCode).toBe(200);
    expect(script.body).toContain('/api/stats');

    const board = await app.inject({ url: '/admin/queues', headers: { ...PAGE, cookie: session } });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('/admin/queues/');
    const boardApi = await app.inject({ url: '/admin/queues/api/queues', headers: { cookie: session } });
    expect(boardApi.statusCode).toBe(200);

    const data = await app.inject({ url: '/admin/api/stats', headers: { cookie: session } });
    expect(data.statusCode).toBe(200);
    expect(data.json<FleetStats>().tiers.map((t) => t.tier)).toEqual(['small', 'medium', 'large']);

    // The login form sends a logged-in admin on to the overview.
    const again = await app.inject({ url: '/admin/login', headers: { ...PAGE, cookie: session } });
    expect(again.statusCode).toBe(303);
  });

  it('refuse a tampered cookie, and end the session on logout', async () => {
    fleet = await startDashboardFleet();
    const { app } = fleet;
    const session = sessionCookie(await login(fleet, ADMIN_KEY));
    const forged = session.replace('fleet_admin=ops', 'fleet_admin=acme');
    expect((await app.inject({ url: '/admin/api/stats', headers: { cookie: forged } })).statusCode).toBe(401);

    const logout = await app.inject({ method: 'POST', url: '/admin/logout', headers: { cookie: session } });
    expect(logout.statusCode).toBe(303);
    expect(logout.headers.location).toBe('/admin/login');
    expect(logout.cookies.find((c) => c.name === 'fleet_admin')?.value).toBe('');
  });
});

describe('dashboards: fleet statistics', () => {
  it("show a completed job's model, cost and tenant", async () => {
    fleet = await startDashboardFleet();
    const { harness } = fleet;
    await harness.producer.enqueue({ id: 'dash-1', tenant: 'acme', prompt: 'What is 2 + 2?', tier: 'small' });
    const result = await harness.waitFor(scopedId('acme', 'dash-1'));
    expect(result.state).toBe('completed');
    const answer = result.answer;
    if (answer === undefined) throw new Error('no answer');

    // The operator's view: the job under its fleet-wide id, the tenant's id within its tenant.
    const current = await statsWithJob(fleet, 'acme/dash-1');
    expect(current.recentJobs[0]).toMatchObject({
      id: 'acme/dash-1',
      tenant: 'acme',
      state: 'completed',
      entryTier: 'small',
      tier: answer.tier,
      model: answer.model,
    });
    expect(current.recentJobs[0]?.costUsd).toBeCloseTo(result.costUsd, 8);

    const model = current.models.find((m) => m.model === answer.model);
    expect(model).toMatchObject({ tier: 'small', calls: 1, answered: 1, errors: 0, errorRate: 0, latencySamples: 1 });
    expect(model?.costUsd).toBeCloseTo(result.costUsd, 8);
    expect(model?.outputTokens).toBe(result.usage.outputTokens);
    expect(model?.p50LatencyMs).toBeGreaterThan(0);

    expect(current.tenants).toEqual([{ tenant: 'acme', jobs: 1, costUsd: expect.closeTo(result.costUsd, 8) as number }]);
    const small = current.tiers.find((t) => t.tier === 'small');
    expect(small).toMatchObject({ jobs: { completed: 1, failed: 0 }, calls: 1, escalationRate: 0, fallbackRate: 0 });
    expect(small?.jobsPerMinute.at(-1)).toBe(1);
    expect(small?.jobsPerMinute).toHaveLength(60);
    expect(current.totals).toMatchObject({ jobs: 1, completed: 1, calls: 1 });
    expect(current.totals.costUsd).toBeCloseTo(result.costUsd, 8);
  });

  it("show today's budgets when the fleet sets any (the fleet's and each tenant's), and nothing when it does not", async () => {
    fleet = await startDashboardFleet({
      fleet: (input) => {
        input.budgets = { fleetUsd: 10, tenants: { acme: 0.5, globex: 2 }, whenSpent: 'refuse' };
      },
    });
    const { harness } = fleet;
    await createSpendStore({ redis: harness.redis, fleetName: harness.fleet.name, period: 'day' }).add('acme', 0.75, Date.now());
    const data = (await stats(fleet)) as FleetStats & { budgets?: FleetBudgetReport };
    expect(data.budgets).toMatchObject({
      period: 'day',
      whenSpent: 'refuse',
      fleet: { budgetUsd: 10, spentUsd: 0.75, leftUsd: 9.25, spent: false },
      tenants: [
        { tenant: 'acme', budgetUsd: 0.5, spentUsd: 0.75, leftUsd: 0, spent: true },
        { tenant: 'globex', budgetUsd: 2, spentUsd: 0, leftUsd: 2, spent: false },
      ],
    });
    await fleet.close();

    fleet = await startDashboardFleet();
    expect(await stats(fleet)).not.toHaveProperty('budgets');
  });

  it('count escalations per tier for a cascade', async () => {
    fleet = await startDashboardFleet({
      scenario: {
        defaults: { answer: { mode: 'plausible', confidence: 0.9, outputTokens: 10 } },
        models: { [MODELS.small[0]]: { answer: { rules: [{ match: 'hard', reply: 'Maybe.', confidence: 0.2 }] } } },
      },
    });
    await fleet.harness.producer.enqueue({ id: 'climb-1', strategy: 'cascade', prompt: 'A hard one.' });
    const result = await fleet.harness.waitFor('climb-1');
    expect(result.attempts.map((a) => a.outcome)).toEqual(['escalated', 'accepted']);

    const current = await statsWithJob(fleet, 'climb-1');
    const small = current.tiers.find((t) => t.tier === 'small');
    const medium = current.tiers.find((t) => t.tier === 'medium');
    expect(small).toMatchObject({ jobs: { completed: 1, failed: 0 }, escalations: 1, escalationRate: 1 });
    expect(medium).toMatchObject({ jobs: { completed: 0, failed: 0 }, calls: 1, escalations: 0, escalationRate: 0 });
    expect(current.recentJobs[0]).toMatchObject({ entryTier: 'small', tier: 'medium', attempts: 2 });
  });

  it('rate escalations per decision: an agreement tier whose two voters always disagree escalates every job', async () => {
    fleet = await startDashboardFleet({
      fleet: (input) => {
        input.cascade = {
          thresholds: { small: 0.7, medium: 0.8 },
          policies: [{ name: 'vote', tasks: ['quiz'], scorer: 'agreement', extractor: { kind: 'choice', letters: 'ABCD' }, votes: { small: { voters: 2, quorum: 2 }, medium: { voters: 1, quorum: 2 } } }],
        };
      },
      scenario: {
        defaults: { answer: { mode: 'plausible', outputTokens: 10, rules: [{ match: 'which letter', reply: 'B' }] } },
        models: { [MODELS.small[0]]: { answer: { rules: [{ match: 'which letter', reply: 'A' }] } } },
      },
    });
    for (const id of ['vote-1', 'vote-2']) {
      await fleet.harness.producer.enqueue({ id, task: 'quiz', strategy: 'cascade', prompt: 'Quiz: which letter?' });
      const result = await fleet.harness.waitFor(id);
      expect(result.attempts.map((a) => [a.tier, a.outcome])).toEqual([
        ['small', 'voted'],
        ['small', 'escalated'],
        ['medium', 'accepted'],
      ]);
    }
    const current = await statsWithJob(fleet, 'vote-2');
    expect(current.tiers.find((t) => t.tier === 'small')).toMatchObject({ answered: 4, decisions: 2, escalations: 2, escalationRate: 1 });
    expect(current.tiers.find((t) => t.tier === 'medium')).toMatchObject({ decisions: 2, escalationRate: 0 });
  });

  it('count ensembles and pipelines in the totals, under the entry tier flows', async () => {
    fleet = await startDashboardFleet({
      fleet: (input) => {
        input.flows = { ensembles: { pair: { members: [{ model: MODELS.small[0] }, { model: MODELS.medium[0] }], combine: 'vote', extractor: { kind: 'choice', letters: 'ABCD' } } } };
      },
      scenario: { defaults: { answer: { mode: 'plausible', outputTokens: 10, rules: [{ match: 'which letter', reply: 'B' }] } } },
    });
    const { harness } = fleet;
    // The harness's flows worker tells the observers in this list when a flow ends.
    harness.observers.push(createStatsObserver({ redis: harness.redis, fleetName: harness.fleet.name }));
    await harness.producer.enqueue({ id: 'flow-1', strategy: 'ensemble', flow: 'pair', prompt: 'Quiz: which letter?' });
    expect((await harness.waitFor('flow-1')).state).toBe('completed');
    await harness.producer.enqueue({ id: 'plain-1', prompt: 'Hello.', tier: 'small' });
    await harness.waitFor('plain-1');

    await statsWithJob(fleet, 'flow-1');
    const current = await statsWithJob(fleet, 'plain-1');
    expect(current.totals).toMatchObject({ jobs: 2, completed: 2, failed: 0, calls: 3 });
    expect(current.flows).toMatchObject({ entry: 'flows', configured: true, jobs: { completed: 1, failed: 0, cancelled: 0 } });
    expect(current.recentJobs.find((j) => j.id === 'flow-1')).toMatchObject({ entryTier: 'flows', state: 'completed' });
  });

  it('count a running job its client cancelled as cancelled, and its aborted call as no model error', async () => {
    fleet = await startDashboardFleet({ scenario: { models: { [MODELS.small[0]]: { latency: { baseMs: 30_000 } } } } });
    const { harness } = fleet;
    await harness.producer.enqueue({ id: 'cancel-1', prompt: 'Hello.', tier: 'small' });
    await harness.waitFor('cancel-1', ['active']);
    await expect.poll(() => harness.queues.queue('small').getActiveCount()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the call is under way
    expect(await cancelJob({ fleetName: harness.fleet.name, queues: harness.queues, redis: harness.redis, keepSeconds: 60 }, 'cancel-1')).toEqual({ state: 'cancelling' });
    const result = await harness.waitFor('cancel-1', ['cancelled', 'completed', 'failed'], 5_000);
    expect(result.state).toBe('cancelled');
    expect(result.attempts.at(-1)?.error?.kind).toBe('cancelled');

    const current = await statsWithJob(fleet, 'cancel-1');
    expect(current.totals).toMatchObject({ jobs: 1, completed: 0, failed: 0, cancelled: 1, errors: 0 });
    expect(current.tiers.find((t) => t.tier === 'small')).toMatchObject({ jobs: { completed: 0, failed: 0, cancelled: 1 }, errors: 0 });
    expect(current.models.find((m) => m.model === MODELS.small[0])).toMatchObject({ calls: 0, errors: 0, errorRate: 0, cancelledCalls: 1 });
    expect(current.recentJobs[0]).toMatchObject({ id: 'cancel-1', state: 'cancelled' });
  });

  it('show the worst breaker state across live processes, and forget silent ones', async () => {
    fleet = await startDashboardFleet();
    const { harness } = fleet;
    const [primary, fallback] = MODELS.small;
    const publisher = (processId: string, now?: () => number) =>
      createBreakerStatePublisher({ redis: harness.redis, fleetName: harness.fleet.name, tier: 'small', processId, ...(now ? { now } : {}) });
    const a = publisher('host-a:1');
    const b = publisher('host-b:2');
    const gone = publisher('host-c:3', () => Date.now() - 3 * 60_000);
    await a.heartbeat({ [primary]: 'closed', [fallback]: 'closed' });
    await b.heartbeat({ [primary]: 'closed', [fallback]: 'closed' });
    await b.publish(primary, 'open');
    await a.publish(fallback, 'half-open');
    await gone.publish(fallback, 'open');

    const current = await stats(fleet);
    const byModel = new Map(current.models.map((m) => [m.model, m]));
    expect(byModel.get(primary)).toMatchObject({ breaker: 'open', breakerProcesses: { closed: 1, open: 1, 'half-open': 0 } });
    expect(byModel.get(fallback)).toMatchObject({ breaker: 'half-open', breakerProcesses: { closed: 1, open: 0, 'half-open': 1 } });
    expect(byModel.get(MODELS.large[0])?.breaker).toBeNull();

    await b.clear();
    expect((await stats(fleet)).models.find((m) => m.model === primary)?.breaker).toBe('closed');
  });
});

describe('dashboards: Bull Board', () => {
  it('list every tier queue and refuse changes when read-only', async () => {
    fleet = await startDashboardFleet();
    const { app, harness } = fleet;
    await harness.producer.enqueue({ id: 'board-1', prompt: 'Hello.', tier: 'small' });
    await harness.waitFor('board-1');
    const auth = bearer(ADMIN_KEY);

    const queues = await app.inject({ url: '/admin/queues/api/queues', headers: auth });
    expect(queues.statusCode).toBe(200);
    const listed = queues.json<{ queues: { name: string; readOnlyMode: boolean }[] }>().queues;
    expect(listed.map((q) => q.name).sort()).toEqual(['flows', 'tier-large', 'tier-medium', 'tier-small']);
    expect(listed.every((q) => q.readOnlyMode)).toBe(true);

    // @bull-board/api answers 405 ERRORS.QUEUE_READ_ONLY for a change to a read-only queue.
    for (const url of [
      '/admin/queues/api/queues/tier-small/retry/failed',
      '/admin/queues/api/queues/tier-small/clean/completed',
      '/admin/queues/api/queues/tier-small/board-1/retry',
      '/admin/queues/api/queues/tier-small/empty',
    ]) {
      const refused = await app.inject({ method: 'PUT', url, headers: auth });
      expect(refused.statusCode, url).toBe(405);
      expect(refused.body, url).toMatch(/QUEUE_READ_ONLY/);
    }
    expect(await harness.queues.queue('small').getJobCountByTypes('completed')).toBe(1);
  });

  it('allow changes when configured writable', async () => {
    fleet = await startDashboardFleet({ readOnly: false });
    const { app, harness } = fleet;
    await harness.producer.enqueue({ id: 'board-2', prompt: 'Hello.', tier: 'small' });
    await harness.waitFor('board-2');
    // Cleaning a whole state spares jobs younger than 5 s; removing one job does not wait.
    const removed = await app.inject({ method: 'PUT', url: '/admin/queues/api/queues/tier-small/board-2/clean', headers: bearer(ADMIN_KEY) });
    expect(removed.statusCode).toBe(204);
    expect(await harness.queues.queue('small').getJob('board-2')).toBeUndefined();
  });
});
