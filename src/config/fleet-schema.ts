import { z } from 'zod';
import { conversationsSchema } from './conversations-schema.js';
import { experimentsSchema } from './experiments-schema.js';
import { cascadePolicySchema } from './cascade-policy-schema.js';
import { compilesAsRegex } from './extractor-schema.js';
import { DEFAULT_TASK_ROUTES } from './default-routing.js';
import { checkRouterChoice, classifierSchema, customRouterSchema, MODEL_ROUTERS } from './routers-schema.js';
import { DEFAULT_CONFIDENCE_PROMPT, DEFAULT_TEMPLATES } from './default-templates.js';
import { cacheSchema } from './cache-schema.js';
import { budgetsSchema } from './budgets-schema.js';
import { fallbacksSchema } from './fallbacks-schema.js';
import { flowsSchema } from './flows-schema.js';
import { templateVariantsSchema } from './template-variant-schema.js';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const share = z.number().min(0).max(1);

/** A Bedrock model id (`vendor.name-v1:0`), inference profile id, or an ARN. */
export const modelIdSchema = z
  .string()
  .min(1)
  .regex(/^(arn:aws[\w-]*:bedrock:[\w-]*:\d*:[\w-]+\/[\w.:/-]+|[a-z0-9-]+\.[\w.:-]+)$/, {
    message: 'expected a Bedrock model id (like "amazon.nova-micro-v1:0") or a Bedrock ARN',
  });

export const priceSchema = z.strictObject({
  inputPer1k: z.number().nonnegative(),
  outputPer1k: z.number().nonnegative(),
  cacheReadPer1k: z.number().nonnegative().optional(),
  cacheWritePer1k: z.number().nonnegative().optional(),
});

export const modelLimitsSchema = z.strictObject({
  requestsPerMinute: positiveInt.optional(),
  tokensPerMinute: positiveInt.optional(),
  maxOutputTokens: positiveInt.optional(),
});

export const modelSchema = z.strictObject({
  id: modelIdSchema,
  price: priceSchema,
  contextWindow: positiveInt,
  limits: modelLimitsSchema.optional(),
  /** A quality rating in [0, 1] for the cost router; unrated models meet only a zero minimum. */
  quality: share.optional(),
  /** A typical p50 call latency in ms for the latency router, until measurements exist. */
  latencyMs: positiveInt.optional(),
  /** The model family for template variants (`anthropic`, `meta`, …); derived from the id when unset. */
  family: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, { message: 'expected a model family like "anthropic"' }).optional(),
});

export const breakerSchema = z.strictObject({
  /** Share of failed calls in the rolling window that opens the breaker. */
  errorThresholdPercentage: z.number().min(1).max(100).default(50),
  /** How long an open breaker waits before letting a trial call through. */
  resetTimeoutMs: positiveInt.default(30_000),
  /** Calls needed in the window before the breaker may open. */
  volumeThreshold: nonNegativeInt.default(5),
  rollingCountTimeoutMs: positiveInt.default(10_000),
});

export const retrySchema = z.strictObject({
  /** Tries on one model for transient errors, the first included. */
  attemptsPerModel: positiveInt.default(2),
  baseDelayMs: nonNegativeInt.default(200),
  maxDelayMs: nonNegativeInt.default(5_000),
  /** BullMQ attempts of the whole job after every model of the tier failed. */
  jobAttempts: positiveInt.default(3),
});

export const tierSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, {
    message: 'expected a lowercase name of letters, digits and dashes (like "small")',
  }),
  /** Models in order: the primary first, then its fallbacks. */
  models: z.array(modelSchema).min(1, { message: 'expected at least one model' }),
  concurrency: positiveInt.default(8),
  callTimeoutMs: positiveInt.default(60_000),
  breaker: breakerSchema.prefault({}),
  retry: retrySchema.prefault({}),
});

export const cascadeSchema = z.strictObject({
  /** Tiers a cascade climbs, lowest first; all tiers in order when unset. */
  path: z.array(z.string()).min(1).optional(),
  /** Appended to the system prompt of cascade jobs so the model reports how sure it is. */
  confidencePrompt: z.string().default(DEFAULT_CONFIDENCE_PROMPT),
  /** Confidence below which a tier escalates to the next; per tier name. */
  thresholds: z.record(z.string(), share).default({}),
  /** What a parent does when its escalated child fails. */
  onChildFailure: z.enum(['fail', 'best-answer']).default('fail'),
  /** Per task type: tiers, scorer, thresholds or votes, or no cascade; the settings above when none matches. */
  policies: z.array(cascadePolicySchema).default([]),
});

/** A routing target: `primary`, `fallback`, or a model id listed in a tier. */
export const routeTargetSchema = z.string().min(1);


/** Conditions of a routing rule; all given ones must hold, and a rule without any matches every job. */
export const ruleConditionsSchema = z
  .strictObject({
    task: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Any of them, as a whole word, in any case. */
    keywords: z.array(z.string().trim().min(1)).min(1).optional(),
    /** A JavaScript regular expression, without flags, searched in the job's text. */
    regex: z.string().min(1).refine(compilesAsRegex, { message: 'expected a valid regular expression' }).optional(),
    minChars: nonNegativeInt.optional(),
    maxChars: nonNegativeInt.optional(),
    hasImage: z.boolean().optional(),
  })
  .refine((when) => when.minChars === undefined || when.maxChars === undefined || when.minChars <= when.maxChars, {
    message: 'expected minChars ≤ maxChars',
    path: ['maxChars'],
  });

export const routingRuleSchema = z.strictObject({
  name: z.string().min(1).optional(),
  when: ruleConditionsSchema.default({}),
  then: z
    .strictObject({ tier: z.string().min(1).optional(), model: modelIdSchema.optional() })
    .refine((then) => then.tier !== undefined || then.model !== undefined, { message: 'expected a tier, a model, or both' }),
});

/** The routers a fleet file may choose; `table` is the routing table by task. */
export const ROUTERS = ['table', 'rules', 'cost', 'latency', 'adaptive', 'custom', 'classifier'] as const;

export const routingSchema = z.strictObject({
  primary: modelIdSchema,
  fallback: modelIdSchema,
  /** Task type → target. Task types not listed go to `default`. */
  tasks: z.record(z.string(), routeTargetSchema).default({ ...DEFAULT_TASK_ROUTES }),
  default: routeTargetSchema.default('primary'),
  /** The router that picks a job's entry tier and model; `table` (the routing table above) when unset. */
  router: z.enum(ROUTERS).optional(),
  /** For the rules router: in order, the first match wins. */
  rules: z.array(routingRuleSchema).optional(),
  /** The second layer: picks the model within the tier the router chose (docs/routers.md). */
  modelRouter: z.enum(MODEL_ROUTERS).optional(),
  /** For the custom router: the user's module exporting a routing function. */
  custom: customRouterSchema.optional(),
  /** For the classifier router: the labels the cheapest tier chooses from. */
  classifier: classifierSchema.optional(),
}).refine((routing) => routing.router !== 'rules' || (routing.rules ?? []).length > 0, {
  message: 'the rules router needs at least one rule in "routing.rules"',
  path: ['rules'],
}).superRefine(checkRouterChoice);

export const templateSchema = z.strictObject({
  system: z.string().optional(),
  /** The user turn; `{{document}}` is replaced by the job's document. */
  prompt: z.string().includes('{{document}}', { message: 'expected the placeholder {{document}}' }),
  /** Wording per model family; see docs/call-features.md. */
  variants: templateVariantsSchema,
});

export const jobsSchema = z.strictObject({
  /** How long finished jobs and their results stay readable. */
  keepCompletedSeconds: positiveInt.default(86_400),
  keepFailedSeconds: positiveInt.default(86_400),
  /** Documents, prompts and message text longer than this are refused at enqueue. */
  maxInputChars: positiveInt.default(400_000),
});

export const workersSchema = z.strictObject({
  /** A job whose worker stops renewing its lock for this long is given to another worker. */
  lockDurationMs: positiveInt.default(30_000),
  stalledIntervalMs: positiveInt.default(30_000),
  /** Times a job may be recovered from a dead worker before it fails. */
  maxStalledCount: nonNegativeInt.default(2),
  /** On SIGTERM, in-flight jobs get this long to finish before they are handed back to the queue. */
  shutdownGraceMs: positiveInt.default(30_000),
  /** How long a tier's queue pauses when every model of the tier is throttled or its breaker open. */
  throttledPauseMs: positiveInt.default(1_000),
});

export const fleetSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/, { message: 'expected a lowercase name (used in queue keys)' })
    .default('fleet'),
  tiers: z.array(tierSchema).min(1, { message: 'expected at least one tier' }),
  cascade: cascadeSchema.prefault({}),
  routing: routingSchema,
  /** Prompt templates for `document` jobs, by task type (or by the job's `template`). */
  templates: z
    .record(z.string(), templateSchema)
    .default({})
    .transform((own): Record<string, TemplateConfig> => ({ ...DEFAULT_TEMPLATES, ...own })),
  jobs: jobsSchema.prefault({}),
  workers: workersSchema.prefault({}),
  /** The response cache; see docs/call-features.md. */
  cache: cacheSchema.prefault({}),
  /** Context-window and content-policy fallbacks; see docs/call-features.md. */
  fallbacks: fallbacksSchema.prefault({}),
  conversations: conversationsSchema.prefault({}),
  experiments: experimentsSchema.default([]),
  /** Named ensembles and pipelines; see docs/flows.md. */
  flows: flowsSchema.prefault({}),
  /** Spend budgets per day for the fleet and its tenants; see docs/budgets.md. */
  budgets: budgetsSchema.prefault({}),
});

export type FleetConfig = z.infer<typeof fleetSchema>;
export type TierConfig = z.infer<typeof tierSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type RoutingConfig = z.infer<typeof routingSchema>;
export type RoutingRuleConfig = z.infer<typeof routingRuleSchema>;
export type RouterName = (typeof ROUTERS)[number];
export type TemplateConfig = z.infer<typeof templateSchema>;
