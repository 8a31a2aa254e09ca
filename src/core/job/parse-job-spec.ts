import type { FleetShape } from '../fleet-shape.js';
import { checkFlowJob } from '../flows/check-flow-job.js';
import { JobSpecError, type JobSpecProblem } from './job-spec-error.js';
import { jobSpecSchema, type JobSpec } from './job-spec.js';

function inputChars(spec: JobSpec): number {
  if (spec.document !== undefined) return spec.document.length;
  if (spec.prompt !== undefined) return spec.prompt.length;
  let chars = 0;
  for (const message of spec.messages ?? []) {
    for (const block of message.content) if ('text' in block && typeof block.text === 'string') chars += block.text.length;
  }
  return chars;
}

/** What the fleet's configuration refuses in a job that is valid on its own. */
function checkAgainstFleet(spec: JobSpec, fleet: FleetShape): JobSpecProblem[] {
  const problems: JobSpecProblem[] = [];
  const tierNames = fleet.tiers.map((t) => t.name);
  if (spec.tier !== undefined && !tierNames.includes(spec.tier)) {
    problems.push({ field: 'tier', message: `no tier is named "${spec.tier}"; expected one of ${tierNames.join(', ')}` });
  }
  if (spec.model !== undefined) {
    const home = fleet.tiers.filter((t) => t.models.some((m) => m.id === spec.model));
    if (home.length === 0) {
      problems.push({ field: 'model', message: `model "${spec.model}" is not in any tier of the fleet` });
    } else if (spec.tier !== undefined && !home.some((t) => t.name === spec.tier)) {
      problems.push({ field: 'model', message: `model "${spec.model}" is not in tier "${spec.tier}"` });
    }
  }
  // A pipeline's steps have their own templates.
  if (spec.document !== undefined && spec.strategy !== 'pipeline') {
    const template = spec.template ?? spec.task;
    if (fleet.templates[template] === undefined) {
      problems.push({
        field: spec.template === undefined ? 'task' : 'template',
        message: `no template "${template}" for a document; expected one of ${Object.keys(fleet.templates).join(', ')}`,
      });
    }
  }
  problems.push(...checkFlowJob(spec, fleet.flows));
  const chars = inputChars(spec);
  if (chars > fleet.jobs.maxInputChars) {
    const field = spec.document !== undefined ? 'document' : spec.prompt !== undefined ? 'prompt' : 'messages';
    problems.push({
      field,
      message: `input of ${chars} characters is over the fleet's limit of ${fleet.jobs.maxInputChars} (jobs.maxInputChars)`,
    });
  }
  return problems;
}

/**
 * Validates a submitted job, on its own and against the fleet (tiers,
 * models, templates, size limit), and fills in defaults. Throws a
 * JobSpecError naming every problem's field.
 */
export function parseJobSpec(raw: unknown, fleet: FleetShape): JobSpec {
  const parsed = jobSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new JobSpecError(
      parsed.error.issues.map((issue) => ({
        field: issue.path.length === 0 ? '(job)' : issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }
  const problems = checkAgainstFleet(parsed.data, fleet);
  if (problems.length > 0) throw new JobSpecError(problems);
  return parsed.data;
}
