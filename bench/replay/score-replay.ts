import { gotAnswer } from '../../src/core/job/attempt.js';
import type { JobResult } from '../../src/core/job/job-result.js';
import type { RouterBenchRow } from '../../src/emulator/replay/load-routerbench.js';

/** Accuracy and cost of one way of answering a set of rows. */
export interface Tally {
  rows: number;
  correct: number;
  accuracy: number;
  costUsd: number;
}

export interface FileScore {
  file: string;
  rows: number;
  policy: Tally & { failed: number; escalated: number; calls: number; fleetCostUsd: number };
  baseline: Tally;
  /** Policy ÷ baseline: correct answers and cost. */
  ratios: { accuracy: number; cost: number };
}

export interface ReplayScore {
  baselineModel: string;
  files: FileScore[];
  overall: FileScore;
  /** Rows left out because the baseline model has no graded answer for them. */
  withoutBaseline: number;
}

interface RowOutcome {
  file: string;
  correct: boolean;
  costUsd: number;
  fleetCostUsd: number;
  failed: boolean;
  escalated: boolean;
  calls: number;
  baselineCorrect: boolean;
  baselineCostUsd: number;
}

function score(file: string, outcomes: readonly RowOutcome[]): FileScore {
  const sum = (pick: (o: RowOutcome) => number): number => outcomes.reduce((total, o) => total + pick(o), 0);
  const rows = outcomes.length;
  const correct = sum((o) => (o.correct ? 1 : 0));
  const baselineCorrect = sum((o) => (o.baselineCorrect ? 1 : 0));
  const costUsd = sum((o) => o.costUsd);
  const baselineCost = sum((o) => o.baselineCostUsd);
  return {
    file,
    rows,
    policy: {
      rows,
      correct,
      accuracy: rows === 0 ? 0 : correct / rows,
      costUsd,
      fleetCostUsd: sum((o) => o.fleetCostUsd),
      failed: sum((o) => (o.failed ? 1 : 0)),
      escalated: sum((o) => (o.escalated ? 1 : 0)),
      calls: sum((o) => o.calls),
    },
    baseline: { rows, correct: baselineCorrect, accuracy: rows === 0 ? 0 : baselineCorrect / rows, costUsd: baselineCost },
    ratios: { accuracy: baselineCorrect === 0 ? 0 : correct / baselineCorrect, cost: baselineCost === 0 ? 0 : costUsd / baselineCost },
  };
}

/**
 * Scores what the fleet did on each row against always asking the baseline
 * model. A row is right when the recorded grade of the answer the fleet
 * returned (that model's answer to that prompt) is correct; a failed job is
 * wrong. Its cost is the recorded cost of every call that got an answer,
 * whichever tier made it. The baseline's accuracy and cost are its recorded
 * grades and costs on the same rows.
 */
export function scoreReplay(input: {
  rows: readonly RouterBenchRow[];
  results: ReadonlyMap<string, JobResult>;
  idOf: (row: RouterBenchRow) => string;
  /** Fleet model id → the recorded model it replays. */
  modelMap: Readonly<Record<string, string>>;
  baselineModel: string;
}): ReplayScore {
  const recordedOf = (row: RouterBenchRow, fleetModel: string) => {
    const model = input.modelMap[fleetModel];
    if (model === undefined) throw new Error(`fleet model ${fleetModel} replays no recorded model; add it to the scenario's replay.modelMap`);
    const answer = row.answers[model];
    if (answer === undefined) throw new Error(`row ${row.sampleId} of ${row.file} has no answer of ${model}, yet the fleet got one`);
    return answer;
  };
  const outcomes: RowOutcome[] = [];
  let withoutBaseline = 0;
  for (const row of input.rows) {
    const baseline = row.answers[input.baselineModel];
    if (baseline?.correct === undefined) {
      withoutBaseline += 1;
      continue;
    }
    const result = input.results.get(input.idOf(row));
    if (result === undefined) throw new Error(`no result for row ${row.sampleId} of ${row.file}`);
    const called = result.attempts.filter(gotAnswer);
    const answer = result.state === 'completed' ? result.answer : undefined;
    outcomes.push({
      file: row.file,
      correct: answer !== undefined && recordedOf(row, answer.model).correct === true,
      costUsd: called.reduce((total, attempt) => total + recordedOf(row, attempt.model).costUsd, 0),
      fleetCostUsd: result.costUsd,
      failed: result.state !== 'completed',
      escalated: new Set(result.attempts.map((a) => a.tier)).size > 1,
      calls: called.length,
      baselineCorrect: baseline.correct,
      baselineCostUsd: baseline.costUsd,
    });
  }
  const files = [...new Set(input.rows.map((row) => row.file))].map((file) => score(file, outcomes.filter((o) => o.file === file)));
  return { baselineModel: input.baselineModel, files, overall: score('all', outcomes), withoutBaseline };
}
