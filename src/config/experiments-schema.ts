import { z } from 'zod';
import { extractorSchema } from './extractor-schema.js';
import { inferenceSchema, STRATEGIES } from '../core/job/job-spec.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, {
  message: 'expected 1-64 letters, digits, "_", "." or "-"',
});

/** How an answer and its golden answer are made comparable. */
export const goldenExtractorSchema = extractorSchema;

/** The job fields a variant overrides; a job that sets a field itself keeps its own value. */
export const variantSetSchema = z.strictObject({
  /** `route` or `cascade`: a flow strategy would need its flow too, which a variant does not set. */
  strategy: z.enum(STRATEGIES).extract(['route', 'cascade']).optional(),
  tier: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  /** Applies to `document` jobs only. */
  template: name.optional(),
  system: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  inference: inferenceSchema.optional(),
  stream: z.boolean().optional(),
});

export const variantSchema = z.strictObject({
  name,
  /** Share of the experiment's traffic, relative to the other variants' weights; 0 takes none. */
  weight: z.number().nonnegative(),
  set: variantSetSchema.default({}),
});

export const stickySchema = z.union([
  z.enum(['tenant', 'job']),
  z.strictObject({ metadata: z.string().min(1).max(64) }),
]);

export const experimentSchema = z
  .strictObject({
    name,
    /** Jobs the experiment takes: all given conditions hold (task: one of them; tags: each equal). */
    when: z
      .strictObject({
        task: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
        tags: z.record(z.string(), z.string()).optional(),
      })
      .default({}),
    /** What keeps a job on its variant: its tenant, its job id, or a metadata value. */
    sticky: stickySchema.default('tenant'),
    variants: z.array(variantSchema).min(1, { message: 'expected at least one variant' }),
    /** An inactive experiment assigns nothing; its measurements stay readable. */
    active: z.boolean().default(true),
    /** How a job's `metadata.golden` is compared with its answer; `exact` when unset. */
    golden: z.strictObject({ extractor: goldenExtractorSchema }).optional(),
  })
  .superRefine((experiment, ctx) => {
    const seen = new Set<string>();
    experiment.variants.forEach((variant, i) => {
      if (seen.has(variant.name)) {
        ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `variant name "${variant.name}" is used twice` });
      }
      seen.add(variant.name);
    });
    if (!experiment.variants.some((v) => v.weight > 0)) {
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'expected at least one variant with a weight above 0' });
    }
  });

/** A/B experiments (`experiments:` in the fleet file); a job joins the first active one it matches. */
export const experimentsSchema = z.array(experimentSchema).superRefine((experiments, ctx) => {
  const seen = new Set<string>();
  experiments.forEach((experiment, i) => {
    if (seen.has(experiment.name)) {
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `experiment name "${experiment.name}" is used twice` });
    }
    seen.add(experiment.name);
  });
});

export type ExperimentConfig = z.infer<typeof experimentSchema>;
export type VariantConfig = z.infer<typeof variantSchema>;
