/**
 * Field names of one statistics bucket (a Redis hash per minute): the kind of
 * thing counted, its name, and the metric, joined by `|`. Names may hold any
 * character but `|` at the ends (model ids hold `:` `.` `/`); the name is
 * everything between the first and the last separator.
 */
export const STAT_KINDS = ['job', 'tier', 'model', 'tenant'] as const;
export type StatKind = (typeof STAT_KINDS)[number];

export interface StatField {
  kind: StatKind;
  /** Tier name, model id or tenant. */
  name: string;
  /** A job state for `job` fields; a metric name otherwise. */
  metric: string;
}

const SEPARATOR = '|';

export function statField(kind: StatKind, name: string, metric: string): string {
  return `${kind}${SEPARATOR}${name}${SEPARATOR}${metric}`;
}

/** The parts of a field name; undefined for a field this version does not know. */
export function parseStatField(field: string): StatField | undefined {
  const first = field.indexOf(SEPARATOR);
  const last = field.lastIndexOf(SEPARATOR);
  if (first <= 0 || last <= first + 1 || last === field.length - 1) return undefined;
  const kind = field.slice(0, first);
  if (!(STAT_KINDS as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as StatKind, name: field.slice(first + 1, last), metric: field.slice(last + 1) };
}
