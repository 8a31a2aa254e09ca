import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpendStore } from '../../src/queue/budgets/spend-store.js';
import { createStatsObserver } from '../../src/queue/stats/create-stats-observer.js';
import { ADMIN_KEY, startDashboardFleet, type DashboardFleet } from '../helpers/dashboard-fleet.js';
import { MODELS } from '../helpers/fleet-harness.js';

/** Debian's Chromium (`apt-get install chromium`); Playwright never downloads a browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');

let fleet: DashboardFleet | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await fleet?.close();
  fleet = undefined;
});

describe('dashboards in a browser', () => {
  it('log in, show a completed job and rendered charts on the overview, and list the tier queues', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: run "apt-get install -y chromium", or set CHROMIUM_PATH to a Chromium executable`);
    }
    await mkdir(SCREENSHOTS, { recursive: true });

    fleet = await startDashboardFleet({
      fleet: (input) => {
        input.budgets = { tenants: { acme: 0.5 } };
        input.flows = { ensembles: { pair: { members: [{ model: MODELS.small[0] }, { model: MODELS.medium[0] }], combine: 'vote', extractor: { kind: 'choice', letters: 'ABCD' } } } };
      },
      scenario: { defaults: { answer: { mode: 'plausible', outputTokens: 10, rules: [{ match: 'which letter', reply: 'B' }] } } },
    });
    const { app, harness } = fleet;
    // The harness's flows worker tells the observers in this list when a flow ends.
    harness.observers.push(createStatsObserver({ redis: harness.redis, fleetName: harness.fleet.name }));
    await createSpendStore({ redis: harness.redis, fleetName: harness.fleet.name, period: 'day' }).add('acme', 0.75, Date.now());
    await harness.producer.enqueue({ id: 'browser-job-1', tenant: 'acme', prompt: 'What is 2 + 2?', tier: 'small' });
    expect((await harness.waitFor('acme/browser-job-1')).state).toBe('completed');
    await harness.producer.enqueue({ id: 'browser-flow-1', tenant: 'acme', strategy: 'ensemble', flow: 'pair', prompt: 'Quiz: which letter?' });
    expect((await harness.waitFor('acme/browser-flow-1')).state).toBe('completed');
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));

    // Not logged in: the overview sends the browser to the login form.
    await page.goto(`${address}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-login.png') });

    await page.fill('input[name="key"]', ADMIN_KEY);
    await Promise.all([page.waitForURL(`${address}/admin`), page.click('button[type="submit"]')]);

    // The overview polls its stats; the completed job appears in the recent-jobs table, under its fleet-wide id.
    const row = page.locator('#recent-jobs tr[data-job-id="acme/browser-job-1"]');
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.textContent()).toContain('completed');
    expect(await row.textContent()).toContain('acme');

    // The ensemble counts under the entry tier flows: its own row in the tiers table, and in the totals.
    const flowsRow = page.locator('#tiers tr[data-tier="flows"]');
    await page.locator('#recent-jobs tr[data-job-id="acme/browser-flow-1"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => flowsRow.locator('td').allTextContents()).toEqual(['flows', '0', '0', '0', '1', '0', '0', '–', '–', '–']);
    expect(await page.locator('#total-jobs').textContent()).toBe('2');
    expect(await page.locator('#total-failed').textContent()).toBe('0');
    expect(await page.locator('#total-cancelled').textContent()).toBe('0');

    // The budgets panel: acme's budget is spent, so its jobs go to the cheapest model (its spend: $0.75 and the job's call).
    const acme = page.locator('#budgets tr[data-budget="tenant:acme"]');
    await acme.waitFor({ timeout: 10_000 });
    expect(await page.locator('#budgets-panel').isVisible()).toBe(true);
    expect(await acme.textContent()).toMatch(/acme\$0\.5000\$0\.75\d\d\$0\.0000150\.\d %spent: cheapest model/);
    expect(await page.locator('#budgets tr[data-budget="fleet"]').textContent()).toContain('no limit');
    expect(await page.locator('#budgets-label').textContent()).toMatch(/^today \(UTC\); resets \d{4}-\d\d-\d\d 00:00 UTC$/);

    // Chart.js drew the charts (no CDN: chart.js came from this server).
    const ids = ['chart-throughput', 'chart-depth', 'chart-cost-model', 'chart-cost-tenant', 'chart-latency'];
    const charts = await page.evaluate<{ id: string; drawn: boolean; width: number; height: number }[]>(
      `${JSON.stringify(ids)}.map((id) => {
        const canvas = document.getElementById(id);
        return { id, drawn: Chart.getChart(canvas) !== undefined, width: canvas.width, height: canvas.height };
      })`,
    );
    for (const chart of charts) {
      expect(chart.drawn, chart.id).toBe(true);
      expect(chart.width, chart.id).toBeGreaterThan(0);
      expect(chart.height, chart.id).toBeGreaterThan(0);
    }
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^Updated/);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-overview.png'), fullPage: true });

    // Bull Board, on the same session, lists every tier queue (in its menu, and as cards once its API answers).
    await page.goto(`${address}/admin/queues`);
    for (const name of ['tier-small', 'tier-medium', 'tier-large']) {
      await page.locator('main').getByText(name, { exact: true }).waitFor({ timeout: 10_000 });
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-queues.png'), fullPage: true });

    expect(scriptErrors).toEqual([]);
  });
});
