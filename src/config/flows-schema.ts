import { z } from 'zod';
import { extractorSchema } from './extractor-schema.js';
import { COMBINE_KINDS } from '../core/flows/flow-definitions.js';

/** A model of some tier to run a failed member or step on instead. */
const fallbackSchema = z.strictObject({ fallback: z.string().min(1) });

const FLOW_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;
const flowName = z.string().regex(FLOW_NAME, { message: 'expected 1-64 letters, digits, "_", "." or "-"' });

export const ensembleMemberSchema = z
  .strictObject({
    model: z.string().min(1).optional(),
    tier: z.string().min(1).optional(),
    /** Counts in `weighted-mean` (and is handed to a custom combiner). */
    weight: z.number().nonnegative().default(1),
  })
  .refine((m) => m.model !== undefined || m.tier !== undefined, { message: 'a member names a model, a tier, or both' });

export const ensembleSchema = z
  .strictObject({
    members: z.array(ensembleMemberSchema).min(1, { message: 'expected at least one member' }),
    combine: z.enum(COMBINE_KINDS),
    /** What votes compare and means average; `exact` for votes and `number` for means when unset. */
    extractor: extractorSchema.optional(),
    /** For `custom`: an ES module exporting the combining function (default export or `combine`); relative to the fleet file. */
    combiner: z.string().min(1).optional(),
    onMemberFailure: z.union([z.enum(['fail', 'ignore']), fallbackSchema]).default('fail'),
    /** Members that must answer (after failures are ignored) for the ensemble to combine; 1 when unset. */
    minMembers: z.number().int().positive().optional(),
  })
  .superRefine((ensemble, ctx) => {
    if (ensemble.combine === 'custom' && ensemble.combiner === undefined) {
      ctx.addIssue({ code: 'custom', path: ['combiner'], message: 'combine "custom" needs "combiner", the path of an ES module exporting the function' });
    }
    if (ensemble.combine !== 'custom' && ensemble.combiner !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['combiner'], message: `a combiner module applies only to combine "custom", not "${ensemble.combine}"` });
    }
    const numeric = ensemble.combine === 'mean' || ensemble.combine === 'weighted-mean';
    const kind = ensemble.extractor?.kind;
    if (numeric && kind !== undefined && kind !== 'number' && kind !== 'regex') {
      ctx.addIssue({ code: 'custom', path: ['extractor', 'kind'], message: `combine "${ensemble.combine}" averages numbers: expected extractor "number" or "regex", not "${kind}"` });
    }
    if (ensemble.minMembers !== undefined && ensemble.minMembers > ensemble.members.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['minMembers'],
        message: `minMembers ${ensemble.minMembers} is more than the ${ensemble.members.length} member${ensemble.members.length === 1 ? '' : 's'}`,
      });
    }
  });

export const pipelineStepSchema = z
  .strictObject({
    name: flowName,
    tier: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    template: z.strictObject({
      system: z.string().optional(),
      /** `{{input}}`: the previous step's output (the job's input for the first step); `{{document}}`: the job's input. */
      prompt: z.string().refine((p) => p.includes('{{input}}') || p.includes('{{document}}'), {
        message: 'expected the placeholder {{input}} (the previous step\'s output) or {{document}} (the job\'s input)',
      }),
    }),
  })
  .refine((s) => s.model !== undefined || s.tier !== undefined, { message: 'a step names a model, a tier, or both' });

export const pipelineSchema = z
  .strictObject({
    steps: z.array(pipelineStepSchema).min(1, { message: 'expected at least one step' }),
    onStepFailure: z.union([z.enum(['fail', 'skip']), fallbackSchema]).default('fail'),
  })
  .superRefine((pipeline, ctx) => {
    const seen = new Set<string>();
    pipeline.steps.forEach((step, i) => {
      if (seen.has(step.name)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'name'], message: `step name "${step.name}" is used twice; expected unique names` });
      seen.add(step.name);
    });
  });

/** Named ensembles and pipelines; jobs pick one with `strategy` and `flow` (docs/flows.md). */
export const flowsSchema = z
  .strictObject({
    ensembles: z.record(z.string(), ensembleSchema).default({}),
    pipelines: z.record(z.string(), pipelineSchema).default({}),
    /** BullMQ attempts of a flow's parent (it only adds children and combines; it retries after Redis errors or a crash). */
    attempts: z.number().int().positive().default(3),
    /** Flow parents in flight at once in each worker process. */
    concurrency: z.number().int().positive().default(16),
  })
  .superRefine((flows, ctx) => {
    for (const kind of ['ensembles', 'pipelines'] as const) {
      for (const name of Object.keys(flows[kind])) {
        if (!FLOW_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [kind, name], message: `flow name "${name}": expected 1-64 letters, digits, "_", "." or "-"` });
      }
    }
  });

export type FlowsConfig = z.infer<typeof flowsSchema>;
export type EnsembleConfig = z.infer<typeof ensembleSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;
