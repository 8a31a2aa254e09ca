import type { FleetShape } from '../fleet-shape.js';
import type { JobSpec } from '../job/job-spec.js';
import { parseJobSpec } from '../job/parse-job-spec.js';
import { assignVariant, stickyKey } from './assign-variant.js';
import type { ExperimentRef, ExperimentShape, VariantSet } from './experiment-shape.js';

export interface ExperimentAssignment extends ExperimentRef {
  /** The fields the variant set on this job (the job set none of them itself). */
  applied: string[];
  /** Why the job does not count for its variant after all (a spent budget moved it off the variant's tier or model). */
  notCounted?: string;
}

export interface AppliedExperiment {
  spec: JobSpec;
  experiment?: ExperimentAssignment;
}

/** Whether an experiment's `when` takes this job. */
export function experimentMatches(experiment: ExperimentShape, spec: Pick<JobSpec, 'task' | 'tags'>): boolean {
  const { task, tags } = experiment.when;
  if (task !== undefined && !(typeof task === 'string' ? [task] : task).includes(spec.task)) return false;
  for (const [key, value] of Object.entries(tags ?? {})) if (spec.tags[key] !== value) return false;
  return true;
}

const given = (raw: Record<string, unknown>, field: string): boolean => raw[field] !== undefined;

/** `tier` and `model` place a job together: a job that chose either has chosen its placement. */
const PLACEMENT = ['tier', 'model'];

/** What a flow job's flow decides, as if the job had set it: its members' and steps' placement, and a pipeline's templates. */
function decidedByFlow(spec: Pick<JobSpec, 'strategy'>): string[] {
  if (spec.strategy === 'ensemble') return PLACEMENT;
  if (spec.strategy === 'pipeline') return [...PLACEMENT, 'template'];
  return [];
}

/**
 * Whether the job set, itself, a field some variant of the experiment sets.
 * Such a job takes no part: its own fields win, and a variant only partly
 * applied would blur the comparison. Every variant counts, not only the
 * job's, so which jobs take part does not depend on the variant. An
 * ensemble or pipeline job counts as having set what its flow decides.
 */
export function setsControlledField(
  experiment: ExperimentShape,
  raw: Record<string, unknown>,
  spec: Pick<JobSpec, 'document' | 'strategy'>,
): boolean {
  const controlled = new Set<string>();
  for (const variant of experiment.variants) {
    for (const [field, value] of Object.entries(variant.set)) {
      if (value === undefined) continue;
      if (PLACEMENT.includes(field)) PLACEMENT.forEach((f) => controlled.add(f));
      else controlled.add(field);
    }
  }
  // A template applies only to a document job; on other jobs it is not the job's choice to clash with.
  if (spec.document === undefined) controlled.delete('template');
  const byFlow = decidedByFlow(spec);
  return [...controlled].some((field) => given(raw, field) || byFlow.includes(field));
}

/** The fields of a variant's `set` a job takes: all of them, but `template` only on a `document` job. */
export function variantOverrides(set: VariantSet, spec: Pick<JobSpec, 'document'>): Partial<VariantSet> {
  const out: Partial<VariantSet> = {};
  for (const [field, value] of Object.entries(set) as [keyof VariantSet, unknown][]) {
    if (value === undefined || (field === 'template' && spec.document === undefined)) continue;
    Object.assign(out, { [field]: value });
  }
  return out;
}

/**
 * Puts a validated job into the first active experiment it matches: the
 * variant comes from its sticky key, and the variant's fields are applied
 * (then checked against the fleet again). A job no experiment takes, one
 * without the sticky metadata key, or one that set a field the experiment's
 * variants set (explicit job fields win) is unchanged and takes no part.
 */
export function applyExperiment(
  input: { raw: unknown; spec: JobSpec; id: string },
  experiments: readonly ExperimentShape[],
  fleet: FleetShape,
): AppliedExperiment {
  const { spec, id } = input;
  const raw = input.raw as Record<string, unknown>;
  const experiment = experiments.find((e) => e.active && experimentMatches(e, spec));
  if (experiment === undefined || setsControlledField(experiment, raw, spec)) return { spec };
  const key = stickyKey(experiment.sticky, { tenant: spec.tenant, id, metadata: spec.metadata });
  const variant = key === undefined ? undefined : assignVariant(experiment.name, key, experiment.variants);
  if (variant === undefined) return { spec };
  const overrides = variantOverrides(variant.set, spec);
  const applied = Object.keys(overrides);
  const ref = { name: experiment.name, variant: variant.name, applied };
  if (applied.length === 0) return { spec, experiment: ref };
  return { spec: parseJobSpec({ ...raw, ...overrides, id }, fleet), experiment: ref };
}

/** The router's reason, with the experiment that shaped the job. */
export function experimentReason(reason: string, experiment: ExperimentAssignment | undefined): string {
  if (experiment === undefined) return reason;
  const set = experiment.applied.length === 0 ? 'which changes nothing' : `which set ${experiment.applied.join(', ')}`;
  const counted = experiment.notCounted === undefined ? '' : `; not counted: ${experiment.notCounted}`;
  return `${reason} (experiment "${experiment.name}", variant "${experiment.variant}", ${set}${counted})`;
}
