import { z } from 'zod';
import { modelIdSchema } from './fleet-schema.js';

/** An empty variable counts as unset. */
export const emptyAsUndefined = (v: unknown): unknown => (v === '' ? undefined : v);

const url = (protocols: string[], example: string) =>
  z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`), error: `expected a URL like ${example}` });

const PORT = { error: 'expected a port number from 1 to 65535' };

/** The environment variables the fleet reads, and what each must look like. */
export const envSchema = z.object({
  FLEET_CONFIG: z.preprocess(emptyAsUndefined, z.string().optional()),
  /** Overrides the fleet file's `name`, which prefixes every Redis key of the fleet. */
  FLEET_NAME: z.preprocess(emptyAsUndefined, z.string().optional()),
  PRIMARY_MODEL_ID: z.preprocess(emptyAsUndefined, modelIdSchema.optional()),
  FALLBACK_MODEL_ID: z.preprocess(emptyAsUndefined, modelIdSchema.optional()),
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    url(['redis', 'rediss'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  ),
  AWS_REGION: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { message: 'expected an AWS region like us-east-1' })
      .default('us-east-1'),
  ),
  BEDROCK_ENDPOINT: z.preprocess(emptyAsUndefined, url(['http', 'https'], 'http://127.0.0.1:4010').optional()),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** Signs webhook deliveries of jobs and batches that name no secret of their own. */
  FLEET_WEBHOOK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(16, { message: 'expected at least 16 characters' }).optional()),
  /** When "true", webhook URLs may point at loopback, private or link-local addresses (refused by default). */
  FLEET_WEBHOOK_ALLOW_PRIVATE: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
  /** Serves this process's Prometheus metrics at GET /metrics on this port (off when unset). */
  FLEET_METRICS_PORT: z.preprocess(
    emptyAsUndefined,
    z.coerce.number(PORT).int(PORT).min(1, PORT).max(65_535, PORT).optional(),
  ),
  /** The address the metrics port listens on. */
  FLEET_METRICS_HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  /** When "true", prompts and documents may appear in debug logs. */
  LOG_PROMPTS: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
});

export type FleetEnv = z.infer<typeof envSchema>;
