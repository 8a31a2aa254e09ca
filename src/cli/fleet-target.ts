import type { Command } from 'commander';
import { CliError, EXIT } from './cli-error.js';

/** Where a batch command goes: the HTTP API, or straight to the fleet's Redis. */
export type FleetTarget = { kind: 'api'; url: string; key: string } | { kind: 'redis' };

export interface TargetFlags {
  /** A URL from `--api`, false from `--no-api`. */
  api?: string | false;
}

export const TARGET_HELP = `
Where it goes:
  --api URL, or FLEET_API_URL       through the fleet's HTTP API, with the key in FLEET_API_KEY
  neither (or --no-api)             straight to Redis: REDIS_URL, FLEET_NAME and FLEET_CONFIG as the fleet uses them`;

export function addTargetOptions(command: Command): Command {
  return command
    .option('--api <url>', 'the fleet API (default: FLEET_API_URL); its key comes from FLEET_API_KEY')
    .option('--no-api', 'go straight to Redis even when FLEET_API_URL is set');
}

/** `--api` wins, then FLEET_API_URL; with neither (or `--no-api`), Redis. An API without a key is a usage error. */
export function chooseTarget(flags: TargetFlags, env: Record<string, string | undefined>): FleetTarget {
  if (flags.api === false) return { kind: 'redis' };
  const url = flags.api ?? (env.FLEET_API_URL === '' ? undefined : env.FLEET_API_URL);
  if (url === undefined) return { kind: 'redis' };
  const key = env.FLEET_API_KEY ?? '';
  if (key === '') {
    throw new CliError(
      `no API key for ${url}: set FLEET_API_KEY to a key from the API's FLEET_API_KEYS ("fleet up" prints one), or use --no-api to go straight to Redis`,
      EXIT.usage,
    );
  }
  return { kind: 'api', url, key };
}
