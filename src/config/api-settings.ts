import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseApiKeys, type ApiKeyEntry } from '../api/auth/api-key-table.js';
import { ConfigError } from './config-error.js';
import { emptyAsUndefined } from './env-schema.js';

const optionalText = z.preprocess(emptyAsUndefined, z.string().optional());

export const apiEnvSchema = z.object({
  FLEET_API_KEYS: optionalText,
  FLEET_API_KEYS_FILE: optionalText,
  FLEET_ADMIN_TENANTS: z.preprocess(emptyAsUndefined, z.string().default('admin')),
  FLEET_SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, { message: 'expected at least 32 characters' }).optional()),
  FLEET_API_RATE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(1_200)),
  FLEET_DASHBOARD_WRITE: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
});

export interface ApiSettings {
  keys: ApiKeyEntry[];
  adminTenants: Set<string>;
  /** Signs dashboard sessions; when unset, a random one per process (sessions end with it). */
  sessionSecret: string | undefined;
  rateLimitPerMinute: number;
  dashboardWrite: boolean;
}

/** Why a file could not be read, in words: `no such file`, `permission denied`, `a folder, not a file`. */
function unreadableReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'a folder, not a file';
  return error instanceof Error ? error.message : String(error);
}

/** The API process's settings; at least one API key is required. */
export function loadApiSettings(env: Record<string, string | undefined> = process.env): ApiSettings {
  const parsed = apiEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError('environment', parsed.error.issues.map((i) => ({ where: String(i.path[0]), message: i.message })));
  }
  const e = parsed.data;
  const keys: ApiKeyEntry[] = [];
  const problem = (where: string, error: unknown): ConfigError =>
    new ConfigError('environment', [{ where, message: error instanceof Error ? error.message : String(error) }]);
  if (e.FLEET_API_KEYS !== undefined) {
    try {
      keys.push(...parseApiKeys(e.FLEET_API_KEYS, 'FLEET_API_KEYS'));
    } catch (error) {
      throw problem('FLEET_API_KEYS', error);
    }
  }
  if (e.FLEET_API_KEYS_FILE !== undefined) {
    const file = e.FLEET_API_KEYS_FILE;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw problem('FLEET_API_KEYS_FILE', new Error(`cannot read "${file}": ${unreadableReason(error)}`));
    }
    try {
      keys.push(...parseApiKeys(text, `"${file}"`));
    } catch (error) {
      throw problem('FLEET_API_KEYS_FILE', error);
    }
  }
  if (keys.length === 0) {
    throw new ConfigError('environment', [
      { where: 'FLEET_API_KEYS', message: 'expected at least one "tenant:key" (or a file of them in FLEET_API_KEYS_FILE)' },
    ]);
  }
  return {
    keys,
    adminTenants: new Set(e.FLEET_ADMIN_TENANTS.split(',').map((t) => t.trim()).filter((t) => t !== '')),
    sessionSecret: e.FLEET_SESSION_SECRET,
    rateLimitPerMinute: e.FLEET_API_RATE_LIMIT,
    dashboardWrite: e.FLEET_DASHBOARD_WRITE === 'true',
  };
}
