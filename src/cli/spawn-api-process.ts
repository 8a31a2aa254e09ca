import { spawnFleetProcess, type FleetProcess } from './spawn-fleet-process.js';

export interface ApiProcess extends FleetProcess {
  /** Where it listens, as it reported (the real port when started on port 0). */
  url: string;
}

export interface SpawnApiProcessOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** FLEET_API_KEYS and the rest of the fleet's environment, over process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where the API's JSON log lines (and its stderr) go; dropped when unset. */
  logFile?: string;
  readyTimeoutMs?: number;
}

/** Starts `fleet api` in its own process and waits until it listens (its IPC `{ type: 'ready', url }` message). */
export async function spawnApiProcess(options: SpawnApiProcessOptions): Promise<ApiProcess> {
  const host = options.host ?? '127.0.0.1';
  const { process: api, ready } = await spawnFleetProcess({
    args: ['api', '--port', String(options.port), '--host', host],
    label: `the API on ${host}:${options.port}`,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
  if (typeof ready.url !== 'string') {
    await api.stop('SIGKILL');
    throw new Error('the API said it was ready without its URL');
  }
  return { ...api, url: ready.url };
}
