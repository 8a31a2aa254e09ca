import type { RunSummary, RunSummaryRow } from '../core/report/summarize-run.js';
import { borderlessTable } from './borderless-table.js';

const HEAD = [
  'tier',
  'model',
  'calls',
  'answered',
  'escal.',
  'fallb.',
  'errors',
  'tokens\nin/out',
  'cost $',
  'p50\nms',
  'p95\nms',
] as const;

/** Columns 2 and on are figures, right-aligned. */
const ALIGNS = HEAD.map((_, i): 'left' | 'right' => (i < 2 ? 'left' : 'right'));


/** `us.anthropic.claude-haiku-4-5-20251001-v1:0` → `claude-haiku-4-5-20251001-v1:0`; ARNs keep their last part. */
export function shortModelId(model: string): string {
  const id = model.startsWith('arn:') ? (model.split('/').at(-1) ?? model) : model;
  const parts = id.split('.');
  if (parts.length < 2) return id;
  // A leading region prefix of an inference profile: us., eu., apac., global. …
  const start = /^(us|eu|apac|ap|ca|jp|au|us-gov|global)$/.test(parts[0] ?? '') && parts.length > 2 ? 2 : 1;
  return parts.slice(start).join('.');
}

function cells(row: RunSummaryRow): string[] {
  return [
    row.tier,
    row.model === 'all' ? 'all' : shortModelId(row.model),
    String(row.calls),
    String(row.answered),
    String(row.escalations),
    String(row.fallbacks),
    String(row.errors),
    `${row.inputTokens}/${row.outputTokens}`,
    row.costUsd.toFixed(6),
    String(Math.round(row.p50LatencyMs)),
    String(Math.round(row.p95LatencyMs)),
  ];
}

/** The run summary as a header line and a plain-text table, one row per (tier, model) and a totals row. */
export function formatRunSummary(summary: RunSummary): string {
  const { jobs } = summary;
  const header =
    `jobs: ${jobs.total} total, ${jobs.completed} completed, ${jobs.failed} failed, ${jobs.escalated} escalated` +
    ` | wall ${(summary.wallMs / 1000).toFixed(1)} s | ${jobs.perSecond.toFixed(1)} jobs/s`;

  const body = summary.rows.map(cells);
  const totals = cells(summary.totals);
  const widths = HEAD.map((head, i) =>
    Math.max(...head.split('\n').map((line) => line.length), ...[...body, totals].map((row) => (row[i] ?? '').length)),
  );

  // Borderless, with a two-line bottom-aligned header and a rule above the totals: fits 120 columns with the longest model ids.
  const table = borderlessTable(HEAD, ALIGNS);
  table.push(...body);
  if (body.length > 0) table.push(widths.map((w) => '-'.repeat(w)));
  table.push(totals);
  return `${header}\n${table.toString()}`;
}
