import type { Command } from 'commander';

/** Exit codes shared by the batch commands (main.ts: 0 done, 1 failed, 2 bad usage or configuration). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** `status`/`results`: the batch is still running. */
  running: 3,
  /** `status`/`results`: no batch with this id (for this tenant). */
  notFound: 4,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;

/**
 * A failure the user can act on: printed as one line, `fleet: <message>`,
 * and the process exits with `exitCode`. The message says what to do.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/**
 * Wraps a command's action: its result is the exit code; a CliError is
 * printed on one line with its code. Other errors go on to main (exit 1, or
 * 2 for configuration errors).
 */
export function cliAction<A extends unknown[]>(action: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await action(...args);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      console.error(`fleet: ${error.message}`);
      process.exitCode = error.exitCode;
    }
  };
}

/**
 * Commander's usage errors (unknown option, missing argument, bad value) on
 * one line that says where to look, instead of the error plus the whole help.
 */
export function oneLineUsageErrors(command: Command): Command {
  return command.showHelpAfterError(false).configureOutput({
    outputError: (text, write) => {
      const message = text.replace(/^error:\s*/i, '').replace(/\s+/g, ' ').trim();
      write(`fleet: ${message} (see "fleet ${command.name()} --help")\n`);
    },
  });
}

/** Node's system error code (`ECONNREFUSED`, `ENOENT`, …) of an error or of its cause, if any. */
export function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.length > 0) {
      e = inner[0];
      continue;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name did not resolve',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timed out connecting',
  UND_ERR_SOCKET: 'the connection was closed',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'no answer in time',
};

/** A short reason for a network failure: `connection refused`, `no such host`, … */
export function networkReason(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined && REASONS[code] !== undefined) return REASONS[code];
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return code === undefined ? message : `${message} (${code})`;
}

/** A URL fit for messages: any password in it is masked. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
