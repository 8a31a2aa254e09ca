import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FLEET_BIN = fileURLToPath(new URL('../../bin/fleet.mjs', import.meta.url));

export interface TierWorkerProcess {
  tier: string;
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Sends a signal (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
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
  const args = [FLEET_BIN, 'worker', '--tier', options.tier];
  if (options.concurrency !== undefined) args.push('--concurrency', String(options.concurrency));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const { stdout, stderr: errors } = child;
  if (stdout === null || errors === null) throw new Error('the worker process has no output pipes');
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
  const stderr: string[] = [];
  errors.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    log?.write(chunk);
  });
  void exited.then(() => log?.end());

  const lines = createInterface({ input: stdout });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker for tier ${options.tier} not ready after ${options.readyTimeoutMs ?? 20_000} ms`)),
      options.readyTimeoutMs ?? 20_000,
    );
    lines.on('line', (line) => log?.write(`${line}\n`));
    child.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready') {
        clearTimeout(timer);
        child.disconnect();
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker for tier ${options.tier} exited with ${code} before it was ready: ${stderr.join('').trim()}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    tier: options.tier,
    pid: child.pid ?? 0,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
