import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FLEET_BIN = fileURLToPath(new URL('../../bin/fleet.mjs', import.meta.url));

export interface EmulatorProcess {
  url: string;
  pid: number;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `fleet emulator` in its own process on a free port and waits for its URL. */
export async function spawnEmulatorProcess(options: { scenarioFile?: string; env?: NodeJS.ProcessEnv } = {}): Promise<EmulatorProcess> {
  const args = [FLEET_BIN, 'emulator', '--port', '0'];
  if (options.scenarioFile !== undefined) args.push('--scenario', options.scenarioFile);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  for await (const line of createInterface({ input: child.stdout })) {
    const url = /on (http:\/\/\S+)/.exec(line)?.[1];
    if (url !== undefined) {
      return {
        url,
        pid: child.pid ?? 0,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return (await exited)[0];
        },
      };
    }
  }
  child.kill('SIGKILL');
  throw new Error('the emulator exited before printing its URL');
}
