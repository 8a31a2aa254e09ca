import type { ExperimentSummary, VariantSummary } from '../core/experiments/summarize-experiment.js';
import { borderlessTable } from './borderless-table.js';

const HEAD = [
  'variant',
  'jobs',
  'share',
  'done',
  'failed',
  'cost $',
  '$/job',
  'p50\nms',
  'p95\nms',
  'escal.',
  'accuracy\n(n)',
  'Δ $/job',
  'Δ p50\nms',
  'Δ escal.',
  'Δ acc.',
] as const;

const ALIGNS = HEAD.map((_, i): 'left' | 'right' => (i === 0 ? 'left' : 'right'));


const NONE = '–';
const percent = (value: number | null): string => (value === null ? NONE : `${(value * 100).toFixed(1)}%`);
const points = (value: number | null): string => (value === null ? NONE : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pt`);
const usd = (value: number | null): string => (value === null ? NONE : value.toFixed(6));
const signedUsd = (value: number | null): string => (value === null ? NONE : `${value >= 0 ? '+' : ''}${value.toFixed(6)}`);
const ms = (value: number | null): string => (value === null ? NONE : String(Math.round(value)));
const signedMs = (value: number | null): string => (value === null ? NONE : `${value >= 0 ? '+' : ''}${Math.round(value)}`);

function cells(row: VariantSummary, first: boolean): string[] {
  const vs = row.vsFirst;
  const diff = (text: string): string => (first ? '' : text);
  return [
    row.variant,
    String(row.jobs),
    percent(row.share),
    String(row.completed),
    String(row.failed),
    usd(row.costUsd),
    usd(row.costPerJobUsd),
    ms(row.p50Ms),
    ms(row.p95Ms),
    percent(row.escalationRate),
    row.goldenJudged === 0 ? NONE : `${percent(row.accuracy)} (${row.goldenJudged})`,
    diff(signedUsd(vs?.costPerJobUsd ?? null)),
    diff(signedMs(vs?.p50Ms ?? null)),
    diff(points(vs?.escalationRate ?? null)),
    diff(points(vs?.accuracy ?? null)),
  ];
}

/** One experiment as a title line and a plain-text table, one row per variant; Δ columns compare with the first variant. */
export function formatExperimentReport(summary: ExperimentSummary, note?: string): string {
  const title = `experiment ${summary.name}${note === undefined ? '' : ` (${note})`}`;
  if (summary.variants.length === 0) return `${title}\n  no jobs recorded yet`;
  const table = borderlessTable(HEAD, ALIGNS);
  table.push(...summary.variants.map((row, i) => cells(row, i === 0)));
  return `${title}\n${table.toString()}`;
}
