import { resolve } from 'node:path';

/** A value as a POSIX shell reads it back: as it is when it is plain, else in single quotes. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Variables of `fleet up`'s environment that change what direct-mode commands validate and route against. */
const CARRIED = ['PRIMARY_MODEL_ID', 'FALLBACK_MODEL_ID'] as const;

/**
 * The `export …` line that points direct-mode commands (`fleet enqueue`
 * without an API) at the fleet `fleet up` runs: its Redis and name, its
 * fleet file when FLEET_CONFIG chose one (as an absolute path, so the line
 * works from any folder; without it they would check jobs against the
 * default fleet file), and the routing table's model ids when set.
 */
export function directModeExports(env: Record<string, string | undefined>, fleet: { redisUrl: string; name: string }): string {
  const vars: [string, string][] = [
    ['REDIS_URL', fleet.redisUrl],
    ['FLEET_NAME', fleet.name],
  ];
  const config = env.FLEET_CONFIG ?? '';
  if (config !== '') vars.push(['FLEET_CONFIG', resolve(config)]);
  for (const name of CARRIED) {
    const value = env[name] ?? '';
    if (value !== '') vars.push([name, value]);
  }
  return `export ${vars.map(([name, value]) => `${name}=${shellQuote(value)}`).join(' ')}`;
}
