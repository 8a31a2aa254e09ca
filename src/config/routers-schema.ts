import { z } from 'zod';

/**
 * The fleet file's router settings beyond the tier router's name and its
 * rules: the model router of the second layer, the user's own routing
 * module, and the classifier. Wired into `routing` in fleet-schema.ts.
 */

/** Routers that may pick the model within the tier the first router chose. */
export const MODEL_ROUTERS = ['cost', 'latency', 'adaptive', 'custom'] as const;

/** A task type, as jobs name them (see job-spec.ts). */
const taskName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, {
  message: 'expected a task type: 1-64 letters, digits, "_", "." or "-"',
});

/** A user ESM module exporting a routing function `(job, snapshot) => {tier, model?, reason} | undefined`. */
export const customRouterSchema = z.strictObject({
  /** A path to the module; a relative path is read from the fleet file's folder. */
  module: z.string().min(1),
  /** The export holding the function; the default export when unset. */
  export: z.string().min(1).optional(),
});

/** The placeholders a classifier prompt may use; `{{text}}` is required. */
export const CLASSIFIER_PLACEHOLDERS = ['{{labels}}', '{{text}}'] as const;

/** The classifier router: the cheapest tier labels the task type, then the rules route the job. */
export const classifierSchema = z.strictObject({
  /** Task types the classifier may answer. */
  labels: z.array(taskName).min(1, { message: 'expected at least one label' }),
  /** The label of a job whose answer names none of `labels`; the job keeps its own task type when unset. */
  default: taskName.optional(),
  /** The classification prompt; `{{labels}}` is replaced by the labels, `{{text}}` by the job's text. */
  prompt: z.string().includes('{{text}}', { message: 'expected the placeholder {{text}}' }).optional(),
  /** The model of the cheapest tier to ask first; the tier's own order when unset. */
  model: z.string().min(1).optional(),
  /** The job's text is cut to this many characters in the classification prompt. */
  maxInputChars: z.number().int().positive().default(4_000),
  /** Output tokens of the classification call. */
  maxTokens: z.number().int().positive().max(1_000).default(16),
});

/** The routing fields a router choice needs, for `checkRouterChoice`. */
interface RouterFields {
  router?: string | undefined;
  modelRouter?: string | undefined;
  custom?: unknown;
  classifier?: unknown;
}

/** Refines `routing`: a router that needs settings has them. */
export function checkRouterChoice(routing: RouterFields, ctx: z.RefinementCtx): void {
  const usesCustom = routing.router === 'custom' || routing.modelRouter === 'custom';
  if (usesCustom && routing.custom === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['custom'],
      message: 'the custom router needs "routing.custom: { module: <path>, export?: <name> }"',
    });
  }
  if (routing.router === 'classifier' && routing.classifier === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['classifier'],
      message: 'the classifier router needs "routing.classifier: { labels: [...] }"',
    });
  }
}

export type CustomRouterConfig = z.infer<typeof customRouterSchema>;
export type ClassifierConfig = z.infer<typeof classifierSchema>;
export type ModelRouterName = (typeof MODEL_ROUTERS)[number];
