/* global document, window, Chart */
// The fleet overview page: polls the statistics endpoint every 5 s and
// redraws the tables and charts. Served as is (no build step); Chart.js is
// loaded before it from the same server.

const POLL_MS = 5_000;
const BASE_PATH = document.body.dataset.basePath ?? '/admin';
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;

// ---- formatting -----------------------------------------------------------

const count = (n) => n.toLocaleString('en-US');
const percent = (r) => `${(r * 100).toFixed(1)} %`;
const usd = (n) => `$${n.toFixed(n !== 0 && n < 0.01 ? 6 : 4)}`;
const ms = (n) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const clock = (epochMs) => new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const clockSeconds = (epochMs) => new Date(epochMs).toLocaleTimeString();
/** `us.anthropic.claude-haiku-4-5-20251001-v1:0` → `claude-haiku-4-5-20251001-v1:0`, for chart labels. */
const shortModel = (id) => id.replace(/^(us|eu|apac|global)\./, '').replace(/^[a-z0-9-]+\./, '');

// ---- tables ---------------------------------------------------------------

/** A table cell; text only, so nothing from the server is ever parsed as HTML. */
function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const num = (text) => cell(text, 'num');

function badge(text, kind) {
  const td = document.createElement('td');
  const span = document.createElement('span');
  span.className = `badge badge-${kind}`;
  span.textContent = text;
  td.append(span);
  return td;
}

/** Replaces a table body's rows; `rows` are arrays of cells, with attributes for the row in `row.attributes`. */
function fillTable(id, rows, emptyText) {
  const body = document.getElementById(id);
  const columns = body.closest('table').querySelectorAll('thead th').length;
  if (rows.length === 0) {
    const empty = cell(emptyText, 'empty');
    empty.colSpan = columns;
    const tr = document.createElement('tr');
    tr.append(empty);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...rows.map(({ cells, attributes = {} }) => {
      const tr = document.createElement('tr');
      for (const [name, value] of Object.entries(attributes)) tr.setAttribute(name, value);
      tr.append(...cells);
      return tr;
    }),
  );
}

function renderTotals(stats) {
  const set = (id, text) => {
    document.getElementById(id).textContent = text;
  };
  set('total-jobs', count(stats.totals.jobs));
  set('total-failed', count(stats.totals.failed));
  set('total-cancelled', count(stats.totals.cancelled));
  set('total-depth', count(stats.totals.depth));
  set('total-calls', count(stats.totals.calls));
  set('total-cost', usd(stats.totals.costUsd));
  set('window-label', `last ${stats.window.minutes} min`);
}

/**
 * The flows queue (ensembles, pipelines) as an entry tier, when the fleet defines flows or any is
 * queued or finished; its model calls count under their tiers' rows.
 */
function flowsEntry(stats) {
  const flows = stats.flows;
  if (!flows) return undefined;
  const q = flows.queue;
  const busy = q.depth + q.active + q.waitingChildren + flows.jobs.completed + flows.jobs.failed + flows.jobs.cancelled > 0;
  return flows.configured || busy ? flows : undefined;
}

/** A row's first cells: its name, its queue (depth, active, waiting for children) and its jobs by end state. */
function queueCells(name, queue, jobs) {
  return [
    cell(name),
    num(count(queue.depth)),
    num(count(queue.active)),
    num(count(queue.waitingChildren)),
    num(count(jobs.completed)),
    num(count(jobs.failed)),
    num(count(jobs.cancelled)),
  ];
}

function renderTiers(stats) {
  const tierRows = stats.tiers.map((t) => ({
    attributes: { 'data-tier': t.tier },
    cells: [...queueCells(t.tier, t.queue, t.jobs), num(count(t.calls)), num(percent(t.escalationRate)), num(percent(t.fallbackRate))],
  }));
  const flows = flowsEntry(stats);
  const flowRows = flows === undefined ? [] : [{
    attributes: { 'data-tier': flows.entry },
    // A flow's model calls, escalations and fallbacks count under the tiers its members or steps ran on.
    cells: [...queueCells(flows.entry, flows.queue, flows.jobs), num('–'), num('–'), num('–')],
  }];
  fillTable('tiers', [...tierRows, ...flowRows], 'No tiers.');
}

const BREAKER_KIND = { closed: 'ok', 'half-open': 'warn', open: 'bad' };

function renderModels(stats) {
  fillTable(
    'models',
    stats.models.map((m) => ({
      attributes: { 'data-model': m.model },
      cells: [
        cell(m.model, 'mono'),
        cell(m.tier || '–'),
        m.breaker === null ? badge('no report', 'none') : badge(m.breaker, BREAKER_KIND[m.breaker]),
        num(count(m.calls)),
        num(percent(m.errorRate)),
        num(count(m.fallbacks)),
        num(`${count(m.inputTokens)} / ${count(m.outputTokens)}`),
        num(usd(m.costUsd)),
        num(m.latencySamples > 0 ? ms(m.p50LatencyMs) : '–'),
        num(m.latencySamples > 0 ? ms(m.p95LatencyMs) : '–'),
      ],
    })),
    'No models.',
  );
}

function renderRecentJobs(stats) {
  fillTable(
    'recent-jobs',
    stats.recentJobs.map((job) => ({
      attributes: { 'data-job-id': job.id },
      cells: [
        cell(job.id, 'mono'),
        cell(job.tenant),
        cell(job.entryTier === job.tier || job.tier === '' ? job.entryTier : `${job.entryTier} → ${job.tier}`),
        cell(job.model || '–', 'mono'),
        badge(job.state, job.state === 'completed' ? 'ok' : job.state === 'cancelled' ? 'none' : 'bad'),
        num(usd(job.costUsd)),
        num(ms(job.latencyMs)),
        num(clockSeconds(job.finishedAt)),
      ],
    })),
    'No job has finished yet.',
  );
}

/** A budget line's cells: budget, spent, left, share used, state (unlimited lines have no budget). */
function budgetCells(line, whenSpent) {
  const limited = line.budgetUsd !== null;
  const used = limited && line.budgetUsd > 0 ? line.spentUsd / line.budgetUsd : null;
  const state = !limited ? badge('no limit', 'none') : line.spent ? badge(whenSpent === 'refuse' ? 'spent: refusing' : 'spent: cheapest model', 'bad') : used !== null && used >= 0.8 ? badge('over 80 %', 'warn') : badge('ok', 'ok');
  return [
    num(limited ? usd(line.budgetUsd) : '–'),
    num(usd(line.spentUsd)),
    num(limited ? usd(line.leftUsd) : '–'),
    num(used === null ? '–' : percent(used)),
    state,
  ];
}

/** The fleet's and every tenant's budget today; the panel stays hidden when the fleet sets no budget. */
function renderBudgets(stats) {
  const budgets = stats.budgets;
  document.getElementById('budgets-panel').hidden = budgets === undefined;
  if (budgets === undefined) return;
  // The period is a UTC day: its reset is shown in UTC, whatever the browser's time zone.
  document.getElementById('budgets-label').textContent = `today (UTC); resets ${budgets.resetsAt.slice(0, 16).replace('T', ' ')} UTC`;
  fillTable(
    'budgets',
    [
      { attributes: { 'data-budget': 'fleet' }, cells: [cell('the fleet'), ...budgetCells(budgets.fleet, budgets.whenSpent)] },
      ...budgets.tenants.map((t) => ({ attributes: { 'data-budget': `tenant:${t.tenant}` }, cells: [cell(t.tenant), ...budgetCells(t, budgets.whenSpent)] })),
    ],
    'No budget.',
  );
}

// ---- charts ---------------------------------------------------------------

const charts = new Map();

/** Draws a chart the first time, then swaps its data in place. */
function draw(id, type, data, options = {}) {
  const existing = charts.get(id);
  if (existing) {
    existing.data.labels = data.labels;
    existing.data.datasets = data.datasets;
    existing.update();
    return;
  }
  charts.set(id, new Chart(document.getElementById(id), { type, data, options }));
}

const colour = (i) => PALETTE[i % PALETTE.length];

function renderCharts(stats) {
  draw(
    'chart-throughput',
    'line',
    {
      labels: stats.window.minuteStarts.map(clock),
      datasets: stats.tiers.map((t, i) => ({
        label: t.tier,
        data: t.callsPerMinute,
        borderColor: colour(i),
        backgroundColor: colour(i),
        tension: 0.2,
        pointRadius: 0,
      })),
    },
    {
      scales: { x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      interaction: { mode: 'index', intersect: false },
    },
  );

  const depthParts = [
    ['waiting', (q) => q.waiting + q.prioritized],
    ['delayed', (q) => q.delayed],
    ['active', (q) => q.active],
    ['awaiting child', (q) => q.waitingChildren],
  ];
  const flows = flowsEntry(stats);
  const queues = [...stats.tiers.map((t) => ({ name: t.tier, queue: t.queue })), ...(flows === undefined ? [] : [{ name: flows.entry, queue: flows.queue }])];
  draw(
    'chart-depth',
    'bar',
    {
      labels: queues.map((q) => q.name),
      datasets: depthParts.map(([label, of], i) => ({ label, data: queues.map((q) => of(q.queue)), backgroundColor: colour(i) })),
    },
    { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  );

  const costly = stats.models.filter((m) => m.costUsd > 0 || m.calls > 0);
  draw(
    'chart-cost-model',
    'bar',
    {
      labels: costly.map((m) => shortModel(m.model)),
      datasets: [{ label: 'cost (USD)', data: costly.map((m) => m.costUsd), backgroundColor: costly.map((_, i) => colour(i)), maxBarThickness: 32 }],
    },
    {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { maxTicksLimit: 5, callback: (value) => usd(Number(value)) } } },
    },
  );

  draw(
    'chart-cost-tenant',
    'doughnut',
    {
      labels: stats.tenants.map((t) => t.tenant),
      datasets: [{ label: 'cost (USD)', data: stats.tenants.map((t) => t.costUsd), backgroundColor: stats.tenants.map((_, i) => colour(i)) }],
    },
    { plugins: { legend: { position: 'right' } } },
  );

  const timed = stats.models.filter((m) => m.latencySamples > 0);
  draw(
    'chart-latency',
    'bar',
    {
      labels: timed.map((m) => shortModel(m.model)),
      datasets: [
        { label: 'p50 (ms)', data: timed.map((m) => m.p50LatencyMs), backgroundColor: colour(0), maxBarThickness: 48 },
        { label: 'p95 (ms)', data: timed.map((m) => m.p95LatencyMs), backgroundColor: colour(1), maxBarThickness: 48 },
      ],
    },
    { scales: { y: { beginAtZero: true } } },
  );
}

// ---- polling --------------------------------------------------------------

function setStatus(text, failed = false) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.classList.toggle('error', failed);
}

async function refresh() {
  try {
    const response = await fetch(`${BASE_PATH}/api/stats`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) {
      window.location.assign(`${BASE_PATH}/login`);
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const stats = await response.json();
    renderTotals(stats);
    renderTiers(stats);
    renderModels(stats);
    renderRecentJobs(stats);
    renderBudgets(stats);
    renderCharts(stats);
    setStatus(`Updated ${clockSeconds(stats.generatedAt)}; refreshes every ${POLL_MS / 1000} s.`);
  } catch (error) {
    setStatus(`Could not load the statistics (${error instanceof Error ? error.message : String(error)}); retrying.`, true);
  }
  window.setTimeout(refresh, POLL_MS);
}

refresh();
