import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiKeyEntry {
  tenant: string;
  key: string;
}

/** Which tenant an API key belongs to. */
export interface ApiKeyTable {
  /** The key's tenant, or undefined. Compares against every key in constant time. */
  tenantOf(key: string): string | undefined;
  readonly size: number;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function createApiKeyTable(entries: readonly ApiKeyEntry[]): ApiKeyTable {
  const table = entries.map((e) => ({ tenant: e.tenant, digest: digest(e.key) }));
  return {
    size: table.length,
    tenantOf(key) {
      const given = digest(key);
      let found: string | undefined;
      // No early exit: the time taken does not depend on which key matched.
      for (const entry of table) if (timingSafeEqual(given, entry.digest) && found === undefined) found = entry.tenant;
      return found;
    },
  };
}

/**
 * `tenant:key` pairs separated by commas or new lines (the FLEET_API_KEYS
 * variable, or a secrets file); blank lines and `#` comments are skipped.
 * Throws naming the first malformed entry.
 */
export function parseApiKeys(text: string, source: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  for (const raw of text.split(/[,\n]/)) {
    const item = raw.trim();
    if (item === '' || item.startsWith('#')) continue;
    const at = item.indexOf(':');
    const tenant = item.slice(0, at).trim();
    const key = item.slice(at + 1).trim();
    if (at <= 0 || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(tenant) || key.length < 16) {
      throw new Error(
        `${source}: expected "tenant:key" entries with a tenant of letters, digits, "_", "." or "-" and a key of at least 16 characters; got "${item.slice(0, 12)}…"`,
      );
    }
    entries.push({ tenant, key });
  }
  return entries;
}
