/**
 * `npm run bench:replay -- [--policy FILE] [--scenario FILE] [--baseline MODEL] [--json] CSV...`
 *
 * Replays RouterBench-format files through the real fleet (queues, worker
 * processes, the emulator in replay mode) under a policy (a fleet file), and
 * prints per file and for all files together: rows, accuracy and cost of the
 * policy, of always asking the baseline model, and their ratios.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { loadRouterBench, type RouterBenchRow } from '../src/emulator/replay/load-routerbench.js';
import { runReplay } from './replay/run-replay.js';
import { scoreReplay, type FileScore } from './replay/score-replay.js';

const DEFAULT_POLICY = fileURLToPath(new URL('../examples/fleets/routerbench.yaml', import.meta.url));
const DEFAULT_SCENARIO = fileURLToPath(new URL('../examples/scenarios/replay-routerbench.yaml', import.meta.url));
const USAGE = 'usage: npm run bench:replay -- [--policy FLEET.yaml] [--scenario SCENARIO.yaml] [--baseline MODEL] [--json] FILE.csv...';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    policy: { type: 'string', default: DEFAULT_POLICY },
    scenario: { type: 'string', default: DEFAULT_SCENARIO },
    baseline: { type: 'string', default: 'gpt-4-1106-preview' },
    json: { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '1800' },
  },
});
if (positionals.length === 0) {
  console.error(`${USAGE}\nGive at least one RouterBench CSV file, e.g. ../shared/data/routerbench-train/arc_challenge_train.csv`);
  process.exit(2);
}

const note = (text: string): void => {
  if (!values.json) process.stderr.write(`${text}\n`);
};
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const usd = (x: number): string => `$${x.toFixed(3)}`;

const load = await loadRouterBench(positionals);
const wholeRowsSkipped = load.skipped.filter((s) => s.model === null).length;
note(`${load.rows.length} rows from ${positionals.length} file(s); ${wholeRowsSkipped} rows skipped (malformed prompt cells)`);
const ids = new Map<RouterBenchRow, string>();
load.rows.forEach((row, i) => ids.set(row, `${basename(row.file, '.csv').replace(/[^A-Za-z0-9_.-]/g, '-')}-${i}`));
const idOf = (row: RouterBenchRow): string => ids.get(row) ?? '';

let shown = -1;
const run = await runReplay({
  policyFile: values.policy,
  scenarioFile: values.scenario,
  csvFiles: positionals,
  rows: load.rows,
  idOf,
  timeoutMs: Number(values['timeout-s']) * 1000,
  progress: (done, total) => {
    const step = Math.floor((done / total) * 10);
    if (step !== shown) {
      shown = step;
      note(`  ${done}/${total} jobs done`);
    }
  },
});
const score = scoreReplay({ rows: load.rows, results: run.results, idOf, modelMap: run.modelMap, baselineModel: values.baseline });

if (values.json) {
  console.log(JSON.stringify({ policy: values.policy, scenario: values.scenario, wallMs: run.wallMs, ...score }, null, 2));
} else {
  const table = new Table({
    style: { head: [], border: [] },
    head: ['file', 'rows', 'policy acc', 'policy cost', `${score.baselineModel} acc`, 'its cost', 'acc ratio', 'cost ratio', 'escalated', 'calls/row', 'failed'],
  });
  const line = (s: FileScore) => [
    s.file === 'all' ? 'all' : basename(s.file),
    s.rows,
    pct(s.policy.accuracy),
    usd(s.policy.costUsd),
    pct(s.baseline.accuracy),
    usd(s.baseline.costUsd),
    pct(s.ratios.accuracy),
    pct(s.ratios.cost),
    pct(s.rows === 0 ? 0 : s.policy.escalated / s.rows),
    (s.rows === 0 ? 0 : s.policy.calls / s.rows).toFixed(2),
    s.policy.failed,
  ];
  for (const file of score.files) table.push(line(file));
  if (score.files.length > 1) table.push(line(score.overall));
  console.log(`policy: ${values.policy}`);
  console.log(table.toString());
  console.log(
    `Through the fleet in ${(run.wallMs / 1000).toFixed(1)} s. Cost is the recorded cost of every call the fleet made; ` +
      `the fleet's own estimate from its prices was ${usd(score.overall.policy.fleetCostUsd)}. ` +
      `${score.withoutBaseline} rows without a graded ${score.baselineModel} answer were left out.`,
  );
}
