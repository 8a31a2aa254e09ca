import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FLEET_BIN = fileURLToPath(new URL('../../bin/fleet.mjs', import.meta.url));

export interface ApiProcess {
  /** Where it listens, as it reported (the real port when started on port 0). */
  url: string;
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Sends a signal (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
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
  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const child = spawn(process.execPath, [FLEET_BIN, 'api', '--port', String(options.port), '--host', host], {
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const { stdout, stderr: errors } = child;
  if (stdout === null || errors === null) throw new Error('the API process has no output pipes');
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const log = options.logFile === undefined ? undefined : createWriteStream(options.logFile, { flags: 'a' });
  const stderr: string[] = [];
  stdout.on('data', (chunk: Buffer) => log?.write(chunk));
  errors.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    log?.write(chunk);
  });
  void exited.then(() => log?.end());

  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API on ${host}:${options.port} was not ready after ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (message: unknown) => {
      const m = message as { type?: unknown; url?: unknown } | null;
      if (typeof m === 'object' && m !== null && m.type === 'ready' && typeof m.url === 'string') {
        clearTimeout(timer);
        child.disconnect();
        resolve(m.url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const said = stderr.join('').trim().split('\n').at(-1) ?? '';
      reject(new Error(`the API on ${host}:${options.port} exited with ${code} before it was ready${said === '' ? '' : `: ${said}`}`));
    });
  });
  let url: string;
  try {
    url = await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    pid: child.pid ?? 0,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
