import { z } from 'zod';
import { DEFAULT_TASK_ROUTES } from './default-routing.js';

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
  /** Confidence below which a tier escalates to the next; per tier name. */
  thresholds: z.record(z.string(), share).default({}),
  /** What a parent does when its escalated child fails. */
  onChildFailure: z.enum(['fail', 'best-answer']).default('fail'),
});

/** A routing target: `primary`, `fallback`, or a model id listed in a tier. */
export const routeTargetSchema = z.string().min(1);

export const routingSchema = z.strictObject({
  primary: modelIdSchema,
  fallback: modelIdSchema,
  /** Task type → target. Task types not listed go to `default`. */
  tasks: z.record(z.string(), routeTargetSchema).default({ ...DEFAULT_TASK_ROUTES }),
  default: routeTargetSchema.default('primary'),
});

export const fleetSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/, { message: 'expected a lowercase name (used in queue keys)' })
    .default('fleet'),
  tiers: z.array(tierSchema).min(1, { message: 'expected at least one tier' }),
  cascade: cascadeSchema.prefault({}),
  routing: routingSchema,
});

export type FleetConfig = z.infer<typeof fleetSchema>;
export type TierConfig = z.infer<typeof tierSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type RoutingConfig = z.infer<typeof routingSchema>;
