import { CliError, EXIT } from './cli-error.js';

/**
 * `fleet up` runs several processes on one machine, each serving its own
 * metrics: with FLEET_METRICS_PORT set to P, the API takes P and the worker
 * of the i-th tier P + 1 + i. Without it, none serves metrics.
 */
export function metricsPorts(env: NodeJS.ProcessEnv, tiers: readonly string[]): { api: number; workers: Map<string, number> } | undefined {
  const text = env.FLEET_METRICS_PORT ?? '';
  if (text === '') return undefined;
  const base = Number(text);
  if (!Number.isInteger(base) || base < 1 || base + tiers.length > 65_535) {
    throw new CliError(`FLEET_METRICS_PORT "${text}" leaves no room for the API and ${String(tiers.length)} workers (ports P to P + ${String(tiers.length)}); set a port from 1 to ${String(65_535 - tiers.length)}`, EXIT.usage);
  }
  return { api: base, workers: new Map(tiers.map((tier, i) => [tier, base + 1 + i])) };
}
