import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FLEET_BIN = fileURLToPath(new URL('../../bin/fleet.mjs', import.meta.url));

export interface FleetProcess {
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Sends a signal (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnFleetProcessOptions {
  /** The `fleet` command and its arguments, e.g. `['worker', '--tier', 'small']`. */
  args: string[];
  /** Names the process in errors ("worker for tier small", "the API on …"). */
  label: string;
  /** Over process.env; LOG_LEVEL defaults to info. */
  env?: NodeJS.ProcessEnv;
  /** Where its log lines (stdout and stderr) go; dropped when unset. */
  logFile?: string;
  readyTimeoutMs?: number;
}

/**
 * Starts a `fleet` command in its own process and waits for the IPC
 * `{ type: 'ready', … }` message it sends once it serves; resolves with
 * that message. A process that exits or stays silent is killed and the
 * error quotes the last line it wrote to stderr.
 */
export async function spawnFleetProcess(
  options: SpawnFleetProcessOptions,
): Promise<{ process: FleetProcess; ready: Record<string, unknown> }> {
  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const child = spawn(process.execPath, [FLEET_BIN, ...options.args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const { stdout, stderr: errors } = child;
  if (stdout === null || errors === null) throw new Error(`${options.label} has no output pipes`);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
  const stderr: string[] = [];
  stdout.on('data', (chunk: Buffer) => log?.write(chunk));
  errors.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    log?.write(chunk);
  });
  void exited.then(() => log?.end());

  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.label} was not ready after ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready') {
        clearTimeout(timer);
        child.disconnect();
        resolve(message as Record<string, unknown>);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const said = stderr.join('').trim().split('\n').at(-1) ?? '';
      reject(new Error(`${options.label} exited with ${code} before it was ready${said === '' ? '' : `: ${said}`}`));
    });
  });
  let message: Record<string, unknown>;
  try {
    message = await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    ready: message,
    process: {
      pid: child.pid ?? 0,
      exited,
      async stop(signal = 'SIGTERM') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    },
  };
}
