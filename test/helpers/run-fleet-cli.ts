import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The `fleet` command, as users run it. */
export const FLEET_BIN = fileURLToPath(new URL('../../bin/fleet.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `fleet ARGS` in its own Node process with exactly `env`, to its end,
 * and returns its exit code and output. Killed after `timeoutMs` when set;
 * held in `running` while it runs, when given (for a suite's cleanup).
 */
export async function runFleetCli(args: readonly string[], env: NodeJS.ProcessEnv, options: { timeoutMs?: number; running?: Set<ChildProcess> } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [FLEET_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.running?.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  options.running?.delete(child);
  return { code, stdout, stderr };
}
