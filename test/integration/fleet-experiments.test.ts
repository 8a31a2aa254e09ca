import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ExperimentReport } from '../../src/cli/experiments-command.js';
import type { JobResult } from '../../src/core/job/job-result.js';
import { cancelJob } from '../../src/queue/cancel-job.js';
import { createExperimentStore } from '../../src/queue/experiments/experiment-store.js';
import { MODELS, REDIS_URL, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';
import { runFleetCli, type CliRun } from '../helpers/run-fleet-cli.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-experiments-test-'));

/**
 * Golden answer 42. Easy questions: small answers 42 surely. Hard ones:
 * small is unsure, medium answers 42 surely. Tricky ones: small is unsure,
 * medium answers 40 surely (wrong). Large always answers 42.
 */
const SCENARIO = {
  models: {
    [MODELS.small[0]]: {
      answer: {
        rules: [
          { match: 'easy', reply: 'It is 42.', confidence: 0.9 },
          { match: 'hard|tricky', reply: 'Maybe 41.', confidence: 0.3 },
        ],
      },
    },
    [MODELS.medium[0]]: {
      answer: {
        rules: [
          { match: 'tricky', reply: 'Probably 40.', confidence: 0.9 },
          { match: 'hard', reply: 'Probably 42.', confidence: 0.9 },
        ],
      },
    },
    [MODELS.large[0]]: { answer: { rules: [{ match: '.', reply: 'The answer is 42.', confidence: 0.95 }] } },
  },
};

const EXPERIMENT = {
  name: 'cascade-vs-large',
  sticky: 'tenant',
  variants: [
    { name: 'cascade', weight: 3, set: { strategy: 'cascade' } },
    { name: 'large', weight: 1, set: { tier: 'large' } },
  ],
  golden: { extractor: { kind: 'number' } },
};

const KINDS = ['easy', 'hard', 'tricky'] as const;

/** Runs the real CLI against the test fleet's Redis and fleet file. */
function fleetCli(args: string[], fleetFile: string): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL, FLEET_CONFIG: fleetFile, LOG_LEVEL: 'warn' };
  for (const name of ['FLEET_NAME', 'FLEET_API_URL', 'FLEET_API_KEY', 'BEDROCK_ENDPOINT']) delete env[name];
  return runFleetCli(args, env, { timeoutMs: 40_000 });
}

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('A/B experiments', () => {
  it('split 200 jobs about by weight, sticky per tenant, and the report compares the variants', async () => {
    fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: (input) => {
        input.experiments = [EXPERIMENT];
      },
    });
    const h = fleet;
    const jobs = Array.from({ length: 200 }, (_, i) => ({
      id: `ab-${i}`,
      tenant: `tenant-${i % 50}`,
      prompt: `Question ${i} (${KINDS[i % 3]}): what is 6 x 7?`,
      metadata: { golden: 42 },
    }));
    const receipts = await h.producer.enqueuePrepared(jobs.map((job) => h.producer.prepare(job)));
    expect(receipts.every((r) => r.created)).toBe(true);
    expect(receipts.find((r) => r.id === scopedId('tenant-0', 'ab-0'))?.route.reason).toContain('experiment "cascade-vs-large", variant');

    // A job that chose its own tier keeps it and takes no part.
    await h.producer.enqueue({ id: 'own-tier', tenant: 'tenant-0', tier: 'medium', prompt: 'A hard one: 6 x 7?', metadata: { golden: 42 } });

    const results: JobResult[] = [];
    for (const job of jobs) results.push(await h.waitFor(scopedId(job.tenant, job.id), ['completed', 'failed'], 30_000));
    const own = await h.waitFor(scopedId('tenant-0', 'own-tier'));
    expect(own.experiment).toBeUndefined();
    expect(own.tier).toBe('medium');

    // Every job is labelled, and every job of a tenant has the same variant.
    const byTenant = new Map<string, Set<string>>();
    const count: Record<string, number> = {};
    for (const [i, result] of results.entries()) {
      expect(result.state).toBe('completed');
      expect(result.experiment?.name).toBe('cascade-vs-large');
      const variant = result.experiment?.variant ?? 'none';
      count[variant] = (count[variant] ?? 0) + 1;
      const tenant = jobs[i]!.tenant;
      byTenant.set(tenant, (byTenant.get(tenant) ?? new Set()).add(variant));
      expect(result.route.reason).toContain(`variant "${variant}"`);
      if (variant === 'large') expect(result.answer?.tier).toBe('large');
      else expect(result.strategy).toBe('cascade');
    }
    expect([...byTenant.values()].every((variants) => variants.size === 1)).toBe(true);
    expect(Object.keys(count).sort()).toEqual(['cascade', 'large']);
    // Weights 3:1 over 50 tenants of 4 jobs: about 150 and 50.
    expect(Math.abs((count.cascade ?? 0) / 200 - 0.75)).toBeLessThan(0.12);

    // The observers record just after each job finishes: wait for the last ones.
    const store = createExperimentStore({ redis: h.redis, fleetName: h.fleet.name });
    const deadline = Date.now() + 5_000;
    for (;;) {
      const finished = (await store.read('cascade-vs-large')).reduce((n, v) => n + v.completed + v.failed, 0);
      if (finished >= 200 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const fleetFile = join(dir, 'fleet.json');
    writeFileSync(fleetFile, JSON.stringify(h.fleetInput));
    const run = await fleetCli(['experiments', 'report', '--json'], fleetFile);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { fleet: string; experiments: ExperimentReport[] };
    expect(report.fleet).toBe(h.fleet.name);
    expect(report.experiments.map((e) => e.name)).toEqual(['cascade-vs-large']);
    const [cascade, large] = report.experiments[0]!.variants;
    expect(cascade).toMatchObject({ variant: 'cascade', jobs: count.cascade, completed: count.cascade, failed: 0, pending: 0, goldenJudged: count.cascade });
    expect(large).toMatchObject({ variant: 'large', jobs: count.large, completed: count.large, failed: 0, pending: 0, goldenJudged: count.large });

    // Expected figures from the jobs' own results.
    const of = (variant: string) => results.filter((r) => r.experiment?.variant === variant);
    const cost = (rs: JobResult[]) => rs.reduce((sum, r) => sum + r.costUsd, 0);
    const escalated = (rs: JobResult[]) => rs.filter((r) => r.attempts.some((a) => a.outcome === 'escalated')).length;
    const correct = (rs: JobResult[]) => rs.filter((r) => /\b42\b/.test(r.answer?.text ?? '')).length;
    expect(cascade?.costUsd).toBeCloseTo(cost(of('cascade')), 6);
    expect(large?.costUsd).toBeCloseTo(cost(of('large')), 6);
    expect(cascade?.escalationRate).toBeCloseTo(escalated(of('cascade')) / (count.cascade ?? 1), 9);
    expect(cascade?.escalationRate).toBeGreaterThan(0.5);
    expect(large?.escalationRate).toBe(0);
    expect(cascade?.accuracy).toBeCloseTo(correct(of('cascade')) / (count.cascade ?? 1), 9);
    expect(cascade?.accuracy).toBeLessThan(0.8);
    expect(large?.accuracy).toBe(1);
    for (const v of [cascade, large]) {
      expect(v?.p50Ms).toBeGreaterThanOrEqual(0);
      expect(v?.p95Ms).toBeGreaterThanOrEqual(v?.p50Ms ?? 0);
      expect(v?.latencySamples).toBe(v?.completed);
    }
    expect(cascade?.vsFirst).toBeUndefined();
    expect(large?.vsFirst?.accuracy).toBeCloseTo((large?.accuracy ?? 0) - (cascade?.accuracy ?? 0), 9);
    expect(large?.vsFirst?.escalationRate).toBeCloseTo(-(cascade?.escalationRate ?? 0), 9);

    // The table names both variants; an unknown experiment is exit code 4.
    const table = await fleetCli(['experiments', 'report', 'cascade-vs-large'], fleetFile);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('experiment cascade-vs-large');
    expect(table.stdout).toMatch(/^cascade\s+\d+/m);
    expect(table.stdout).toMatch(/^large\s+\d+/m);
    const missing = await fleetCli(['experiments', 'report', 'nope'], fleetFile);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no experiment "nope"');
  }, 90_000);

  it('leave a job cancelled while it runs among the pending, as one cancelled while queued: it measures nothing', async () => {
    fleet = await startFleetHarness({
      scenario: { ...SCENARIO, models: { ...SCENARIO.models, [MODELS.large[0]]: { latency: { baseMs: 2_000 } } } },
      fleet: (input) => {
        input.experiments = [{ name: 'slow', sticky: 'job', variants: [{ name: 'large', weight: 1, set: { tier: 'large' } }] }];
      },
    });
    const h = fleet;
    await h.producer.enqueue({ id: 'cancel-running', tenant: 'acme', prompt: 'What is 6 x 7?' });
    await h.waitFor(scopedId('acme', 'cancel-running'), ['active']);
    expect(await cancelJob({ fleetName: h.fleet.name, queues: h.queues, redis: h.redis, keepSeconds: 60 }, scopedId('acme', 'cancel-running'))).toEqual({ state: 'cancelling' });
    expect((await h.waitFor(scopedId('acme', 'cancel-running'), ['cancelled'])).state).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the observers run just after the job ends
    const store = createExperimentStore({ redis: h.redis, fleetName: h.fleet.name });
    expect((await store.read('slow')).map((v) => [v.variant, v.jobs, v.completed, v.failed])).toEqual([['large', 1, 0, 0]]);
  });

  it('count a job whose variant set only a tier when a model router picks the model in it (no budget moved it)', async () => {
    fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: (input) => {
        input.routing = { ...(input.routing as Record<string, unknown>), modelRouter: 'cost' };
        input.experiments = [{ name: 'on-medium', sticky: 'job', variants: [{ name: 'medium', weight: 1, set: { tier: 'medium' } }] }];
      },
    });
    const receipt = await fleet.producer.enqueue({ id: 'tier-variant', tenant: 'acme', prompt: 'A hard one: 6 x 7?' });
    expect(receipt.route.tier).toBe('medium');
    expect(MODELS.medium).toContain(receipt.route.model);
    expect(receipt.route.reason).toContain('within tier medium, cost router');
    expect(receipt.route.reason).toContain('(experiment "on-medium", variant "medium", which set tier)');
    expect(receipt.route.reason).not.toContain('not counted');
    const result = await fleet.waitFor(scopedId('acme', 'tier-variant'));
    expect(result).toMatchObject({ state: 'completed', tier: 'medium', experiment: { name: 'on-medium', variant: 'medium' } });
    const store = createExperimentStore({ redis: fleet.redis, fleetName: fleet.fleet.name });
    await expect.poll(async () => (await store.read('on-medium')).map((v) => [v.variant, v.jobs, v.completed])).toEqual([['medium', 1, 1]]);
  });
});
