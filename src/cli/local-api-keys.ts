import { randomBytes } from 'node:crypto';
import type { ApiKeyEntry } from '../api/auth/api-key-table.js';

/** The tenant of the key `fleet up` generates for jobs. */
export const LOCAL_TENANT = 'local';

/**
 * Keys for a local fleet when FLEET_API_KEYS is unset: one for tenant
 * `local` (jobs and batches) and one for the admin tenant (dashboards).
 */
export function generateLocalApiKeys(adminTenant: string, random: (bytes: number) => Buffer = randomBytes): ApiKeyEntry[] {
  const key = (tenant: string): string => `${tenant}-${random(18).toString('base64url')}`;
  return [
    { tenant: LOCAL_TENANT, key: key(LOCAL_TENANT) },
    { tenant: adminTenant, key: key(adminTenant) },
  ];
}

/** `tenant:key,tenant:key`, as FLEET_API_KEYS takes them. */
export function formatApiKeys(entries: readonly ApiKeyEntry[]): string {
  return entries.map((e) => `${e.tenant}:${e.key}`).join(',');
}
