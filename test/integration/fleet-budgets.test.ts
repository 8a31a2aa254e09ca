import { afterEach, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/core/budgets/budget-exceeded-error.js';
import type { BudgetReport } from '../../src/core/budgets/budget-report.js';
import type { JobResult } from '../../src/core/job/job-result.js';
import { createSpendStore, spendKey } from '../../src/queue/budgets/spend-store.js';
import { createExperimentStore } from '../../src/queue/experiments/experiment-store.js';
import { fleetPrefix, jobIndexKey } from '../../src/queue/queue-names.js';
import { auth, startApiHarness, type ApiHarness } from '../helpers/api-harness.js';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

const [MICRO, LLAMA] = MODELS.small;
const [SONNET] = MODELS.large;

/** Prices that tell the models apart (the harness gives them all one price): nova micro is the cheapest, sonnet the dearest. */
const PRICES: Record<string, { inputPer1k: number; outputPer1k: number }> = {
  [MICRO]: { inputPer1k: 0.0001, outputPer1k: 0.0002 },
  [LLAMA]: { inputPer1k: 0.0002, outputPer1k: 0.0003 },
  [SONNET]: { inputPer1k: 0.01, outputPer1k: 0.02 },
};

/** acme may spend $0.001 a day: two or three jobs on sonnet (the routing table's primary) at ~$0.0004 each. */
const ACME_BUDGET = 0.001;

type Input = Record<string, unknown> & { tiers: { models: { id: string }[] }[] };

const budgeted =
  (budgets: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  (raw: Record<string, unknown>): void => {
    const input = raw as Input;
    for (const tier of input.tiers) tier.models = tier.models.map((model) => ({ ...model, ...(PRICES[model.id] ? { price: PRICES[model.id] } : {}) }));
    Object.assign(input, { budgets, ...more });
  };

const QUIZ = { match: 'which letter', reply: 'The answer is B.' };
/**
 * Every model answers, sure of itself, except: nova micro is unsure about
 * "hard" questions (a cascade would climb), and both medium models refuse
 * every call (a cascade that reaches medium fails, after paying for small).
 */
const SCENARIO = {
  seed: 5,
  defaults: { answer: { mode: 'plausible', outputTokens: 12, confidence: 0.9, rules: [QUIZ] } },
  models: {
    [MICRO]: { answer: { rules: [QUIZ, { match: '\\bhard\\b', reply: 'Maybe 41.', confidence: 0.3 }] } },
    [MODELS.medium[0]]: { faults: { ValidationException: 1 } },
    [MODELS.medium[1]]: { faults: { ValidationException: 1 } },
  },
};

let fleet: FleetHarness | undefined;
let api: ApiHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  await api?.close();
  fleet = undefined;
  api = undefined;
});

/** What Redis says a tenant (or the fleet) spent today. */
async function spentToday(h: FleetHarness, tenant?: string): Promise<number> {
  const spend = await createSpendStore({ redis: h.redis, fleetName: h.fleet.name, period: 'day' }).read(Date.now());
  return tenant === undefined ? spend.fleetUsd : (spend.byTenantUsd[tenant] ?? 0);
}

/** Adds to a tenant's spend today, as jobs of other processes would. */
async function spendOutsideTheRun(h: FleetHarness, tenant: string, usd: number): Promise<void> {
  await createSpendStore({ redis: h.redis, fleetName: h.fleet.name, period: 'day' }).add(tenant, usd, Date.now());
}

/** Waits until the spend observer has counted `usd` for the tenant (observers run just after a job finishes). */
async function awaitSpend(h: FleetHarness, tenant: string, usd: number): Promise<void> {
  await expect.poll(() => spentToday(h, tenant), { timeout: 5_000 }).toBeCloseTo(usd, 8);
}

/** Runs jobs of `tenant` on the routing table's primary until its spend passes `budget`; the results, in order. */
async function spendPast(h: FleetHarness, enqueue: (id: string) => Promise<unknown>, tenant: string, budget: number): Promise<JobResult[]> {
  const results: JobResult[] = [];
  let spent = 0;
  for (let i = 0; spent <= budget; i++) {
    if (i >= 10) throw new Error(`10 jobs spent only $${spent} of $${budget}`);
    const id = `${tenant}-${i}`;
    await enqueue(id);
    const result = await h.waitFor(scopedId(tenant, id));
    expect(result.state).toBe('completed');
    expect(result.answer?.model).toBe(SONNET);
    expect(result.costUsd).toBeGreaterThan(0);
    results.push(result);
    spent += result.costUsd;
    await awaitSpend(h, tenant, spent);
  }
  return results;
}

describe('spend budgets, whenSpent "cheapest" (real Redis, emulator, SDK)', () => {
  it('run a tenant\'s jobs as routed until its budget is spent, then send them to the cheapest model, and say why', async () => {
    const h = (fleet = await startFleetHarness({ scenario: SCENARIO, fleet: budgeted({ tenants: { acme: ACME_BUDGET } }) }));
    const ran = await spendPast(h, (id) => h.producer.enqueue({ id, tenant: 'acme', prompt: 'What is 2 + 2?' }), 'acme', ACME_BUDGET);
    expect(ran.length).toBeGreaterThanOrEqual(2);
    for (const result of ran) expect(result.route.reason).not.toMatch(/budget/);
    const spent = ran.reduce((sum, r) => sum + r.costUsd, 0);
    expect(spent).toBeGreaterThan(ACME_BUDGET);
    expect(await spentToday(h)).toBeCloseTo(spent, 8);
    // One hash per UTC day under the fleet's prefix, expiring after about two days.
    const ttl = await h.redis.ttl(spendKey(h.fleet.name, 'day', Date.now()));
    expect(ttl).toBeGreaterThan(86_400);
    expect(ttl).toBeLessThanOrEqual(2 * 86_400);

    // The producer learns of the spend at its next snapshot read.
    const snapshot = await h.snapshots.refresh();
    expect(snapshot.budgets?.byTenantUsd?.acme).toBeCloseTo(ACME_BUDGET - spent, 8);

    const receipt = await h.producer.enqueue({ id: 'acme-cheap', tenant: 'acme', prompt: 'What is 2 + 2?' });
    expect(receipt.tier).toBe('small');
    const shown = `$${Number(spent.toPrecision(4))}`;
    expect(receipt.route).toMatchObject({ tier: 'small', model: MICRO, path: ['small'] });
    expect(receipt.route.reason).toMatch(new RegExp(`^tenant acme spent \\${shown} of its \\$0\\.001 daily budget: cheapest model ${MICRO.replace(/[.:]/g, '\\$&')} on tier small \\(est\\. \\$`));
    const cheap = await h.waitFor(scopedId('acme', 'acme-cheap'));
    expect(cheap).toMatchObject({ state: 'completed', answer: { tier: 'small', model: MICRO } });
    expect(cheap.route.reason).toBe(receipt.route.reason);

    // A cascade starts on the cheapest model's tier and stays there, unsure as it is.
    const cascade = await h.producer.enqueue({ id: 'acme-cascade', tenant: 'acme', strategy: 'cascade', prompt: 'A hard question: what is 6 x 7?' });
    expect(cascade.route).toMatchObject({ tier: 'small', model: MICRO, path: ['small'] });
    expect(cascade.route.reason).toMatch(/; the cascade stays on tier small$/);
    const stayed = await h.waitFor(scopedId('acme', 'acme-cascade'));
    expect(stayed).toMatchObject({ state: 'completed', answer: { tier: 'small', model: MICRO } });
    expect(stayed.attempts.map((a) => [a.tier, a.outcome])).toEqual([['small', 'accepted']]);
    expect(stayed.answer?.acceptedBecause).toMatch(/top of the path/);

    // A model the job names itself still wins.
    const own = await h.producer.enqueue({ id: 'acme-own', tenant: 'acme', model: SONNET, prompt: 'What is 2 + 2?' });
    expect(own.route).toMatchObject({ tier: 'large', model: SONNET });
    expect(own.route.reason).toMatch(/but the job's own model .* wins$/);

    // Another tenant, without a budget, is routed as before.
    const other = await h.producer.enqueue({ id: 'globex-1', tenant: 'globex', prompt: 'What is 2 + 2?' });
    expect(other.route).toMatchObject({ tier: 'large', model: SONNET });
    expect(other.route.reason).not.toMatch(/budget/);
    expect(await h.waitFor(scopedId('globex', 'globex-1'))).toMatchObject({ state: 'completed', answer: { model: SONNET } });
  });

  it('send a spent tenant\'s job to the cheapest model even when an A/B variant placed it on a dearer one', async () => {
    const experiments = [{ name: 'big-model', sticky: 'job', variants: [{ name: 'sonnet', weight: 1, set: { model: SONNET } }] }];
    fleet = await startFleetHarness({ scenario: SCENARIO, fleet: budgeted({ tenants: { acme: 0 } }, { experiments }) });
    const receipt = await fleet.producer.enqueue({ id: 'ab-spent', tenant: 'acme', prompt: 'Say hello.' });
    expect(receipt.route).toMatchObject({ tier: 'small', model: MICRO });
    expect(receipt.route.reason).toContain(`over the experiment variant's model ${SONNET}`);
    // It would measure the cheapest model, not the variant: the experiment leaves it out.
    expect(receipt.route.reason).toContain(
      '(experiment "big-model", variant "sonnet", which set model; not counted: a spent budget moved the job off the variant\'s placement)',
    );
    const result = await fleet.waitFor(scopedId('acme', 'ab-spent'));
    expect(result.answer?.model).toBe(MICRO);
    expect(result.experiment).toBeUndefined();
    // A tenant with money left runs the variant's model, and counts for it.
    await fleet.producer.enqueue({ id: 'ab-free', tenant: 'globex', prompt: 'Say hello.' });
    const free = await fleet.waitFor(scopedId('globex', 'ab-free'));
    expect(free).toMatchObject({ answer: { model: SONNET }, experiment: { name: 'big-model', variant: 'sonnet' } });
    const store = createExperimentStore({ redis: fleet.redis, fleetName: fleet.fleet.name });
    await expect.poll(async () => (await store.read('big-model')).map((v) => [v.variant, v.jobs, v.completed])).toEqual([['sonnet', 1, 1]]);
  });

  it('check again when a worker takes a job: a batch enqueued while money was left goes to the cheapest model once the budget is spent', async () => {
    // No workers yet: the whole batch is enqueued, routed as usual (to sonnet), before anything runs.
    const h = (fleet = await startFleetHarness({ scenario: SCENARIO, workers: [], fleet: budgeted({ tenants: { acme: ACME_BUDGET } }) }));
    const ids = Array.from({ length: 12 }, (_, i) => `batch-${String(i)}`);
    const receipts = await h.producer.enqueuePrepared(ids.map((id) => h.producer.prepare({ id, tenant: 'acme', prompt: 'What is 2 + 2?' })));
    for (const receipt of receipts) expect(receipt.route).toMatchObject({ tier: 'large', model: SONNET });
    await h.producer.enqueue({ id: 'batch-own', tenant: 'acme', model: SONNET, prompt: 'What is 2 + 2?' });
    await h.producer.enqueue({ id: 'batch-cascade', tenant: 'acme', strategy: 'cascade', prompt: 'A hard question: what is 6 x 7?' });
    // Meanwhile other jobs of acme spend its budget.
    await spendOutsideTheRun(h, 'acme', 0.0011);
    for (const tier of ['small', 'medium', 'large']) await h.startWorker(tier);

    // What acme spent grows as the batch's cheap jobs finish: $0.0011 and a little more.
    const cheapest = new RegExp(`; tenant acme spent \\$0\\.0011\\d* of its \\$0\\.001 daily budget \\(found by the worker\\): cheapest model ${MICRO.replace(/[.:]/g, '\\$&')} on tier small$`);
    for (const id of ids) {
      const result = await h.waitFor(scopedId('acme', id));
      expect(result).toMatchObject({ state: 'completed', answer: { tier: 'small', model: MICRO } });
      // Handed on before any call: nothing was asked of sonnet.
      expect(result.attempts.map((a) => [a.tier, a.model])).toEqual([['small', MICRO]]);
      expect(result.route.reason).toMatch(cheapest);
      expect(result.route.path).toEqual(['large', 'small']);
    }
    expect(h.emulator.state.stats.snapshot().models[SONNET]?.calls ?? 0).toBe(1);

    // The job's own model wins; a cascade (unsure on small) does not climb to the tiers above.
    expect(await h.waitFor(scopedId('acme', 'batch-own'))).toMatchObject({ state: 'completed', answer: { model: SONNET } });
    const cascade = await h.waitFor(scopedId('acme', 'batch-cascade'));
    expect(cascade).toMatchObject({ state: 'completed', answer: { tier: 'small', model: MICRO } });
    expect(cascade.route.path).toEqual(['small']);
    expect(cascade.route.reason).toContain('; the cascade stays on tier small');
  });

  it('keep a running cascade from climbing when the budget is spent while its first tier answers', async () => {
    const h = (fleet = await startFleetHarness({ scenario: SCENARIO, fleet: budgeted({ tenants: { acme: ACME_BUDGET } }) }));
    // Slower than the workers' 250 ms budget read, so the decision to climb reads the spend again.
    h.emulator.state.override(MICRO, { latency: { baseMs: 1_500 } });
    const receipt = await h.producer.enqueue({ id: 'climb-1', tenant: 'acme', strategy: 'cascade', prompt: 'A hard question: what is 6 x 7?' });
    expect(receipt.route.path).toEqual(['small', 'medium', 'large']);
    await h.waitFor(scopedId('acme', 'climb-1'), ['active']);
    await spendOutsideTheRun(h, 'acme', 0.0011);
    const result = await h.waitFor(scopedId('acme', 'climb-1'));
    // Climbing would have failed: both medium models refuse every call.
    expect(result).toMatchObject({ state: 'completed', answer: { tier: 'small', model: MICRO } });
    // Spend counts as each call answers: the small tier's own call is in it already.
    expect(result.answer?.acceptedBecause).toMatch(/^confidence 0\.30 < 0\.7 on small; tenant acme spent \$0\.0011\d+ of its \$0\.001 daily budget, so the cascade stops on tier small$/);
    expect(result.attempts.map((a) => [a.tier, a.outcome])).toEqual([['small', 'accepted']]);
  });

  it('keep a split vote from climbing when the budget is spent while the tier votes', async () => {
    const policy = { name: 'vote', tasks: ['quiz'], scorer: 'agreement', extractor: { kind: 'choice', letters: 'ABCD' }, votes: { small: { voters: 2, quorum: 2 } } };
    const h = (fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: budgeted({ tenants: { acme: ACME_BUDGET } }, { cascade: { thresholds: { small: 0.7, medium: 0.8 }, policies: [policy] } }),
    }));
    h.emulator.state.override(MICRO, { latency: { baseMs: 1_500 } });
    h.emulator.state.override(LLAMA, { answer: { rules: [{ match: 'which letter', flags: 'i', reply: 'A' }] } });
    await h.producer.enqueue({ id: 'vote-1', tenant: 'acme', task: 'quiz', strategy: 'cascade', prompt: 'Quiz: which letter is right?' });
    await h.waitFor(scopedId('acme', 'vote-1'), ['active']);
    await spendOutsideTheRun(h, 'acme', 0.0011);
    const result = await h.waitFor(scopedId('acme', 'vote-1'));
    expect(result).toMatchObject({ state: 'completed', answer: { tier: 'small' } });
    expect(result.answer?.acceptedBecause).toMatch(/; tenant acme spent \$0\.0011\d+ of its \$0\.001 daily budget, so the cascade stops on tier small$/);
    expect(result.votes?.map((v) => v.answer)).toEqual(['B', 'A']);
    expect(result.attempts.map((a) => [a.tier, a.outcome])).toEqual([
      ['small', 'voted'],
      ['small', 'accepted'],
    ]);
  });

  it('count each call as it answers: an ensemble member\'s cost is spent while the other member still runs', async () => {
    const duo = { members: [{ model: MICRO }, { model: SONNET }], combine: 'vote', extractor: { kind: 'choice', letters: 'ABCD' } };
    const h = (fleet = await startFleetHarness({ scenario: SCENARIO, fleet: budgeted({ fleetUsd: 100 }, { flows: { ensembles: { duo } } }) }));
    h.emulator.state.override(SONNET, { latency: { baseMs: 2_000 } });
    await h.producer.enqueue({ id: 'duo-slow', tenant: 'hooli', strategy: 'ensemble', flow: 'duo', prompt: 'Quiz: which letter is right?' });
    await expect.poll(() => spentToday(h, 'hooli'), { timeout: 1_500, interval: 50 }).toBeGreaterThan(0);
    expect((await h.read(scopedId('hooli', 'duo-slow')))?.state).not.toMatch(/completed|failed/);
    const done = await h.waitFor(scopedId('hooli', 'duo-slow'));
    expect(done.state).toBe('completed');
    await awaitSpend(h, 'hooli', done.costUsd);
  });

  it('count failed jobs (what their attempts cost) and ensembles once, as their parent', async () => {
    const h = (fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: budgeted(
        { fleetUsd: 100 },
        { flows: { ensembles: { duo: { members: [{ model: MICRO }, { model: SONNET }], combine: 'vote', extractor: { kind: 'choice', letters: 'ABCD' } } } } },
      ),
    }));
    // Small answers, unsure; the cascade climbs to medium, which refuses: the job fails, small's answer paid for.
    await h.producer.enqueue({ id: 'fails-1', tenant: 'initech', strategy: 'cascade', prompt: 'A hard question: what is 6 x 7?' });
    const failed = await h.waitFor(scopedId('initech', 'fails-1'));
    expect(failed.state).toBe('failed');
    expect(failed.costUsd).toBeGreaterThan(0);
    await awaitSpend(h, 'initech', failed.costUsd);

    await h.producer.enqueue({ id: 'duo-1', tenant: 'hooli', strategy: 'ensemble', flow: 'duo', prompt: 'Quiz: which letter is right?' });
    const duo = await h.waitFor(scopedId('hooli', 'duo-1'));
    expect(duo.state).toBe('completed');
    expect(duo.members?.map((m) => m.model)).toEqual([MICRO, SONNET]);
    expect(duo.costUsd).toBeCloseTo(duo.attempts.reduce((sum, a) => sum + a.costUsd, 0), 8);
    await awaitSpend(h, 'hooli', duo.costUsd);
    expect(await spentToday(h)).toBeCloseTo(failed.costUsd + duo.costUsd, 8);
  });
});

describe('spend budgets, whenSpent "refuse", through the API', () => {
  it('refuse a spent tenant\'s jobs (402; nothing enqueued; batches by position), leave others alone, and report spend', async () => {
    const a = (api = await startApiHarness({ scenario: SCENARIO, fleet: budgeted({ tenants: { acme: ACME_BUDGET }, whenSpent: 'refuse' }) }));
    const h = a.fleet;
    const post = (tenant: 'acme' | 'globex', payload: Record<string, unknown>) => a.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(tenant), payload });
    const ran = await spendPast(
      h,
      async (id) => {
        const posted = await post('acme', { id, prompt: 'What is 2 + 2?' });
        expect(posted.statusCode).toBe(202);
      },
      'acme',
      ACME_BUDGET,
    );
    const spent = ran.reduce((sum, r) => sum + r.costUsd, 0);
    await h.snapshots.refresh();

    // The producer: a BudgetExceededError naming the tenant, the spend and the budget; nothing of the job in Redis.
    const refused = h.producer.enqueue({ id: 'refused-1', tenant: 'acme', prompt: 'What is 2 + 2?' });
    await expect(refused).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(refused).rejects.toThrow(
      new RegExp(`^job refused: tenant acme spent \\$${Number(spent.toPrecision(4))} of its \\$0\\.001 daily budget; budgets\\.whenSpent is "refuse"`),
    );
    expect(await h.read(scopedId('acme', 'refused-1'))).toBeUndefined();
    expect(await h.redis.exists(jobIndexKey(h.fleet.name, scopedId('acme', 'refused-1')))).toBe(0);
    for (const queue of h.queues.all()) expect(await queue.getJob(scopedId('acme', 'refused-1'))).toBeUndefined();
    const [, keys] = await h.redis.scan('0', 'MATCH', `${fleetPrefix(h.fleet.name)}:*refused-1*`, 'COUNT', 10_000);
    expect(keys).toEqual([]);

    // The API: 402 with the reason, and when the budget is whole again.
    const posted = await post('acme', { id: 'refused-2', prompt: 'What is 2 + 2?' });
    expect(posted.statusCode).toBe(402);
    expect(posted.json()).toMatchObject({ code: 'budget_exceeded', field: 'tenant', message: expect.stringMatching(/^job refused: tenant acme spent \$/) as unknown });
    expect(Number(posted.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(posted.headers['retry-after'])).toBeLessThanOrEqual(86_400);
    expect(await h.read(scopedId('acme', 'refused-2'))).toBeUndefined();

    // A batch: every document refused by position, with the reason (so nothing is enqueued: 422).
    const batch = await a.app.inject({ method: 'POST', url: '/v1/batches', headers: auth('acme'), payload: ['First document.', 'Second document.'] });
    expect(batch.statusCode).toBe(422);
    const receipt = batch.json<{ accepted: number; refusedCount: number; refused: { index: number; field: string; message: string }[] }>();
    expect(receipt).toMatchObject({ accepted: 0, refusedCount: 2 });
    expect(receipt.refused.map((r) => [r.index, r.field])).toEqual([
      [0, 'tenant'],
      [1, 'tenant'],
    ]);
    expect(receipt.refused[0]?.message).toMatch(/^tenant: tenant acme spent \$[\d.]+ of its \$0\.001 daily budget/);

    // Another tenant is unaffected.
    const other = await post('globex', { id: 'globex-1', prompt: 'What is 2 + 2?' });
    expect(other.statusCode).toBe(202);
    const globex = await h.waitFor(scopedId('globex', 'globex-1'));
    expect(globex).toMatchObject({ state: 'completed', answer: { model: SONNET } });
    await awaitSpend(h, 'globex', globex.costUsd);

    // GET /v1/budgets: the caller's own line; an admin sees the fleet and every tenant.
    const mine = await a.app.inject({ url: '/v1/budgets', headers: auth('acme') });
    expect(mine.statusCode).toBe(200);
    const report = mine.json<BudgetReport>();
    expect(report).toMatchObject({ period: 'day', whenSpent: 'refuse', tenant: { tenant: 'acme', budgetUsd: ACME_BUDGET, leftUsd: 0, spent: true } });
    expect(report.tenant.spentUsd).toBeCloseTo(spent, 8);
    expect(Date.parse(report.resetsAt) - Date.parse(report.periodStart)).toBe(86_400_000);
    expect(report.fleet).toBeUndefined();
    expect(report.tenants).toBeUndefined();

    const theirs = (await a.app.inject({ url: '/v1/budgets', headers: auth('globex') })).json<BudgetReport>();
    expect(theirs.tenant).toMatchObject({ tenant: 'globex', budgetUsd: null, leftUsd: null, spent: false });
    expect(theirs.tenant.spentUsd).toBeCloseTo(globex.costUsd, 8);

    const all = (await a.app.inject({ url: '/v1/budgets', headers: auth('ops') })).json<BudgetReport>();
    expect(all.fleet?.spentUsd).toBeCloseTo(spent + globex.costUsd, 8);
    expect(all.fleet).toMatchObject({ budgetUsd: null, leftUsd: null });
    expect(all.tenants?.map((t) => [t.tenant, t.budgetUsd, t.spent])).toEqual([
      ['acme', ACME_BUDGET, true],
      ['globex', null, false],
    ]);

    expect((await a.app.inject({ url: '/v1/budgets' })).statusCode).toBe(401);
    const doc = (await a.app.inject({ url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toContain('/v1/budgets');
  });
});

describe('spend budgets, whenSpent "refuse", at the worker', () => {
  it('fail a job enqueued before its budget was spent, when a worker takes it, without calling a model', async () => {
    const h = (fleet = await startFleetHarness({ scenario: SCENARIO, workers: [], fleet: budgeted({ tenants: { acme: ACME_BUDGET }, whenSpent: 'refuse' }) }));
    await h.producer.enqueue({ id: 'late-1', tenant: 'acme', prompt: 'What is 2 + 2?' });
    await h.producer.enqueue({ id: 'other-1', tenant: 'globex', prompt: 'What is 2 + 2?' });
    await spendOutsideTheRun(h, 'acme', 0.0011);
    await h.startWorker('large');
    const refused = await h.waitFor(scopedId('acme', 'late-1'));
    expect(refused.state).toBe('failed');
    expect(refused.error?.message).toMatch(
      /^budget exceeded: tenant acme spent \$0\.0011 of its \$0\.001 daily budget; budgets\.whenSpent is "refuse", so the job was not run \(the budget resets at \d{4}-\d\d-\d\dT00:00:00\.000Z\)$/,
    );
    expect(refused.attempts).toEqual([]);
    expect(refused.costUsd).toBe(0);
    expect(await h.waitFor(scopedId('globex', 'other-1'))).toMatchObject({ state: 'completed', answer: { model: SONNET } });
  });

  it('keep the answer a cascade paid for when its climb is refused: the budget ran out before the next tier took it', async () => {
    const h = (fleet = await startFleetHarness({ scenario: SCENARIO, workers: ['small'], fleet: budgeted({ tenants: { acme: ACME_BUDGET }, whenSpent: 'refuse' }) }));
    await h.producer.enqueue({ id: 'climb-refused', tenant: 'acme', strategy: 'cascade', prompt: 'A hard question: what is 6 x 7?' });
    // Small is unsure and money is left: the job climbs, and its child waits for a medium worker.
    await expect.poll(async () => (await h.read(scopedId('acme', 'climb-refused')))?.state, { timeout: 5_000 }).toBe('escalated');
    await spendOutsideTheRun(h, 'acme', 0.0011);
    await h.startWorker('medium');
    const result = await h.waitFor(scopedId('acme', 'climb-refused'));
    // onChildFailure is "fail", but the refused climb made no call: the small answer, paid for, stands.
    expect(result).toMatchObject({ state: 'completed', answer: { tier: 'small', model: MICRO, text: 'Maybe 41.' } });
    expect(result.answer?.acceptedBecause).toMatch(/^best answer kept: the escalation to tier medium was not run: budget exceeded: tenant acme spent \$0\.0011\d* of its \$0\.001 daily budget; budgets\.whenSpent is "refuse"/);
    expect(result.attempts.map((a) => [a.tier, a.outcome])).toEqual([['small', 'escalated']]);
    expect(result.costUsd).toBeGreaterThan(0);
  });
});
