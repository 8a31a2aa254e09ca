/**
 * How far a batch overshoots a spend budget. The whole fleet runs on this
 * machine (Redis, the emulator with the demo scenario's latencies, one
 * worker process per tier) with a daily budget for tenant `bench`. The
 * tenant has some budget left when it enqueues a batch of N documents at
 * once, all routed to the routing table's primary (claude sonnet on the
 * large tier) because money is left at enqueue. Without the workers'
 * check, the whole batch would run there; with it, the workers stop
 * spending once the budget is gone (`cheapest`: the rest go to the
 * cheapest model; `refuse`: the rest fail unrun).
 *
 * "Left" is set so the batch, unchecked, would cost `1 / share` times it:
 * the tenant's budget is $100 and the run seeds its spend with
 * $100 − left. The mean cost of a job on the primary comes from a
 * calibration batch of another tenant (no budget) on the same fleet.
 *
 *   npm run bench:budget -- [--jobs 2000] [--share 0.1] [--modes cheapest,refuse] [--out bench/results/budget-overshoot.json]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startLocalFleet } from '../src/cli/start-local-fleet.js';
import { StartedFleet } from '../src/cli/started-fleet.js';
import { waitForResults } from '../src/cli/wait-for-results.js';
import type { JobResult } from '../src/core/job/job-result.js';
import { createSpendStore } from '../src/queue/budgets/spend-store.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    share: { type: 'string', default: '0.1' },
    modes: { type: 'string', default: 'cheapest,refuse' },
    calibrate: { type: 'string', default: '100' },
    out: { type: 'string', default: 'bench/results/budget-overshoot.json' },
  },
});

const JOBS = Number(values.jobs);
const SHARE = Number(values.share);
const CALIBRATE = Number(values.calibrate);
const BUDGET_USD = 100;
const TENANT = 'bench';
const DEFAULT_FLEET = resolve('src/config/default-fleet.yaml');
const SCENARIO = resolve('examples/scenarios/demo.yaml');

const document = (i: number): string =>
  `Summarise for the weekly report, in two sentences, what ticket ${String(i)} says: the customer reports that invoices ` +
  `exported on the 3rd of the month show the previous month's exchange rate, and asks for corrected copies.`;

interface ModeRun {
  whenSpent: string;
  jobs: number;
  /** What the tenant had left when the batch was enqueued. */
  leftUsd: number;
  /** Mean cost of one job on the primary (calibration), and the batch at that cost. */
  primaryJobUsd: number;
  uncheckedUsd: number;
  /** What the batch spent, and how much of it was beyond what was left. */
  spentUsd: number;
  /** Of `spentUsd`, what went to the primary and to other models (under cheapest, the cheapest model, by design). */
  spentOnPrimaryUsd: number;
  spentElsewhereUsd: number;
  overshootUsd: number;
  overshootShareOfLeft: number;
  onPrimary: number;
  onOtherModels: number;
  failed: number;
  wallMs: number;
}

function writeFleet(dir: string, whenSpent: string): string {
  const fleet = parseYaml(readFileSync(DEFAULT_FLEET, 'utf8')) as Record<string, unknown>;
  fleet.budgets = { period: 'day', tenants: { [TENANT]: BUDGET_USD }, whenSpent };
  const file = join(dir, `fleet-${whenSpent}.yaml`);
  writeFileSync(file, toYaml(fleet));
  return file;
}

async function runMode(whenSpent: string): Promise<ModeRun> {
  const started = new StartedFleet();
  const logDir = mkdtempSync(join(tmpdir(), 'bench-budget-'));
  try {
    const fleetFile = writeFleet(logDir, whenSpent);
    const { producer, read, settings } = await startLocalFleet(started, {
      namePrefix: 'budget',
      scenarioFile: SCENARIO,
      logDir,
      env: { FLEET_CONFIG: fleetFile },
      workerLogLevel: 'warn',
      emulatorLogLevel: 'error',
    });
    const primary = settings.fleet.routing.primary;
    const connection = started.connection;
    if (connection === undefined) throw new Error('the local fleet has no Redis connection');
    const deadline = (): number => Date.now() + 600_000;

    // Calibration: what one job costs on the primary (a tenant without a budget).
    const calibration = Array.from({ length: CALIBRATE }, (_, i) => producer.prepare({ id: `cal-${String(i)}`, tenant: 'calibration', prompt: document(i) }));
    await producer.enqueuePrepared(calibration);
    const calibrated = await waitForResults(read, calibration.map((j) => j.id), { deadline: deadline(), intervalMs: 100 });
    const primaryJobUsd = [...calibrated.values()].reduce((sum, r) => sum + r.costUsd, 0) / calibrated.size;

    // The tenant has `left` when it enqueues the batch: its spend is seeded with the rest of its budget.
    const uncheckedUsd = primaryJobUsd * JOBS;
    const leftUsd = uncheckedUsd * SHARE;
    const spend = createSpendStore({ redis: connection, fleetName: settings.fleet.name, period: 'day' });
    await spend.add(TENANT, BUDGET_USD - leftUsd, Date.now());
    const before = (await spend.read(Date.now())).byTenantUsd[TENANT] ?? 0;

    const begin = Date.now();
    const batch = Array.from({ length: JOBS }, (_, i) => producer.prepare({ id: `doc-${String(i)}`, tenant: TENANT, prompt: document(i) }));
    const receipts = await producer.enqueuePrepared(batch);
    const routedToPrimary = receipts.filter((r) => r.route.model === primary).length;
    if (routedToPrimary !== JOBS) throw new Error(`only ${String(routedToPrimary)} of ${String(JOBS)} jobs were routed to ${primary} at enqueue`);
    const results = await waitForResults(read, batch.map((j) => j.id), {
      deadline: deadline(),
      intervalMs: 250,
      progress: (done) => process.stderr.write(`\r  ${whenSpent}: ${String(done.size)}/${String(JOBS)} jobs done`),
    });
    process.stderr.write('\n');
    const wallMs = Date.now() - begin;
    // Spend counts when jobs finish, just after: wait for the last ones to be counted.
    const batchCost = [...results.values()].reduce((sum, r: JobResult) => sum + r.costUsd, 0);
    for (let i = 0; i < 50; i += 1) {
      const now = (await spend.read(Date.now())).byTenantUsd[TENANT] ?? 0;
      if (now - before >= batchCost - 1e-9) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const spentUsd = ((await spend.read(Date.now())).byTenantUsd[TENANT] ?? 0) - before;
    const answered = [...results.values()].filter((r) => r.state === 'completed');
    const onPrimary = answered.filter((r) => r.answer?.model === primary).length;
    const spentOnPrimaryUsd = [...results.values()].reduce((sum, r) => sum + r.attempts.filter((a) => a.model === primary).reduce((s, a) => s + a.costUsd, 0), 0);
    const overshootUsd = Math.max(0, spentUsd - leftUsd);
    return {
      whenSpent,
      jobs: JOBS,
      leftUsd: round(leftUsd),
      primaryJobUsd: round(primaryJobUsd),
      uncheckedUsd: round(uncheckedUsd),
      spentUsd: round(spentUsd),
      spentOnPrimaryUsd: round(spentOnPrimaryUsd),
      spentElsewhereUsd: round(spentUsd - spentOnPrimaryUsd),
      overshootUsd: round(overshootUsd),
      overshootShareOfLeft: Math.round((overshootUsd / leftUsd) * 1000) / 1000,
      onPrimary,
      onOtherModels: answered.length - onPrimary,
      failed: results.size - answered.length,
      wallMs,
    };
  } finally {
    await started.stop();
  }
}

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;

const runs: ModeRun[] = [];
for (const mode of values.modes.split(',')) {
  const run = await runMode(mode);
  runs.push(run);
  console.log(
    `whenSpent ${run.whenSpent}: ${String(run.jobs)} jobs routed to the primary at enqueue with $${run.leftUsd.toFixed(4)} left ` +
      `(unchecked they would cost $${run.uncheckedUsd.toFixed(4)}); spent $${run.spentUsd.toFixed(4)} ` +
      `($${run.spentOnPrimaryUsd.toFixed(4)} on the primary, $${run.spentElsewhereUsd.toFixed(4)} on other models), ` +
      `overshoot $${run.overshootUsd.toFixed(4)} (${(run.overshootShareOfLeft * 100).toFixed(1)} % of what was left); ` +
      `${String(run.onPrimary)} answered on the primary, ${String(run.onOtherModels)} on other models, ${String(run.failed)} failed; ${(run.wallMs / 1000).toFixed(1)} s`,
  );
}

writeFileSync(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, share: SHARE, runs }, null, 2)}\n`,
);
console.log(`written to ${values.out}`);
