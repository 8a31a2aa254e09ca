import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { checkFleetReferences } from './check-fleet-references.js';
import { ConfigError, formatPath, type ConfigProblem } from './config-error.js';
import { envSchema } from './env-schema.js';
import { fleetSchema, type FleetConfig } from './fleet-schema.js';

/** The fleet file shipped with the project: real Bedrock ids and prices. */
export const DEFAULT_FLEET_FILE = fileURLToPath(new URL('./default-fleet.yaml', import.meta.url));

export interface Settings {
  fleet: FleetConfig;
  fleetFile: string;
  redisUrl: string;
  region: string;
  /** Set when Bedrock is reached through another endpoint (the emulator). */
  bedrockEndpoint: string | undefined;
  logLevel: string;
  logPrompts: boolean;
  webhookSecret: string | undefined;
  /** Whether webhook URLs may point at private addresses (FLEET_WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate: boolean;
  /** Where the process serves its Prometheus metrics (FLEET_METRICS_PORT, FLEET_METRICS_HOST); undefined: nowhere. */
  metrics: { port: number; host: string } | undefined;
}

export interface LoadSettingsOptions {
  /** Defaults to `process.env`; pass a plain object in tests. */
  env?: Record<string, string | undefined>;
  /** Overrides `FLEET_CONFIG` and the default file. */
  file?: string;
}

/** Environment variables that override a field of the fleet file. */
const ENV_OVERRIDES = [
  { variable: 'PRIMARY_MODEL_ID', field: 'primary' },
  { variable: 'FALLBACK_MODEL_ID', field: 'fallback' },
] as const;

function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix = ''): ConfigProblem[] {
  return issues.map((issue) => ({ where: prefix + formatPath(issue.path), message: issue.message }));
}

function readFleetFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(file, [{ where: 'file', message: `cannot read the fleet file (${code})` }]);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0].line;
      throw new ConfigError(file, [
        { where: line === undefined ? 'file' : `line ${line}`, message: `not valid YAML or JSON: ${error.code}` },
      ]);
    }
    throw error;
  }
}

/**
 * Reads the environment and the fleet file, applies the environment's
 * overrides and validates everything. Throws a ConfigError naming every
 * problem of the first stage that fails (environment, then the file's
 * fields, then its cross-references, which need valid fields to be read);
 * nothing is returned half-configured.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const rawEnv = options.env ?? process.env;
  const env = envSchema.safeParse(rawEnv);
  if (!env.success) throw new ConfigError('environment', issuesToProblems(env.error.issues));

  const file = options.file ?? env.data.FLEET_CONFIG ?? DEFAULT_FLEET_FILE;
  const raw = readFleetFile(file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(file, [{ where: '(top level)', message: 'expected a mapping with "tiers" and "routing"' }]);
  }

  const overridden = new Map<string, string>();
  const withEnv: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const { variable, field } of ENV_OVERRIDES) {
    const value = env.data[variable];
    if (value === undefined) continue;
    const routing = withEnv.routing;
    withEnv.routing = { ...(typeof routing === 'object' && routing !== null ? routing : {}), [field]: value };
    overridden.set(`routing.${field}`, variable);
  }
  if (env.data.FLEET_NAME !== undefined) {
    withEnv.name = env.data.FLEET_NAME;
    overridden.set('name', 'FLEET_NAME');
  }
  const label = (where: string): string => {
    const variable = overridden.get(where);
    return variable === undefined ? where : `${variable} (${where})`;
  };

  const parsed = fleetSchema.safeParse(withEnv);
  if (!parsed.success) {
    throw new ConfigError(
      file,
      issuesToProblems(parsed.error.issues).map((p) => ({ ...p, where: label(p.where) })),
    );
  }
  const references = checkFleetReferences(parsed.data);
  if (references.length > 0) {
    throw new ConfigError(
      file,
      references.map((r) => ({ where: label(formatPath(r.path)), message: r.message })),
    );
  }

  return {
    fleet: parsed.data,
    fleetFile: file,
    redisUrl: env.data.REDIS_URL,
    region: env.data.AWS_REGION,
    bedrockEndpoint: env.data.BEDROCK_ENDPOINT,
    logLevel: env.data.LOG_LEVEL,
    logPrompts: env.data.LOG_PROMPTS === 'true',
    webhookSecret: env.data.FLEET_WEBHOOK_SECRET,
    webhookAllowPrivate: env.data.FLEET_WEBHOOK_ALLOW_PRIVATE === 'true',
    metrics: env.data.FLEET_METRICS_PORT === undefined ? undefined : { port: env.data.FLEET_METRICS_PORT, host: env.data.FLEET_METRICS_HOST },
  };
}
