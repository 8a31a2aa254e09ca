import { spawnFleetProcess, type FleetProcess } from './spawn-fleet-process.js';

export interface TierWorkerProcess extends FleetProcess {
  tier: string;
}

export interface SpawnTierWorkerOptions {
  tier: string;
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  /** Where the worker's JSON log lines go; they are dropped when unset. */
  logFile?: string;
  /** How long to wait for the worker to say it is ready. */
  readyTimeoutMs?: number;
}

/** Starts `fleet worker --tier NAME` in its own process and waits until it is consuming its queue. */
export async function spawnTierWorker(options: SpawnTierWorkerOptions): Promise<TierWorkerProcess> {
  const args = ['worker', '--tier', options.tier];
  if (options.concurrency !== undefined) args.push('--concurrency', String(options.concurrency));
  const { process: worker } = await spawnFleetProcess({
    args,
    label: `worker for tier ${options.tier}`,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
  return { ...worker, tier: options.tier };
}
