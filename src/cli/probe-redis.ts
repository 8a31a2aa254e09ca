import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { CliError, EXIT, networkReason, redactUrl } from './cli-error.js';

export interface ProbeRedisOptions {
  /** How long one connection attempt may take. */
  connectTimeoutMs: number;
  /** Keep trying (every 250 ms) for this long while Redis refuses; 0: one attempt. */
  waitMs?: number;
  /** What to do about it, after the reason: `start the fleet with "fleet up", set REDIS_URL, …`. */
  hint: string;
}

async function attempt(url: string, connectTimeoutMs: number): Promise<unknown> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: connectTimeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let lastError: unknown;
  redis.on('error', (error) => (lastError = error));
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return lastError ?? error ?? new Error('no answer');
  } finally {
    redis.disconnect();
  }
}

/**
 * Fails fast, in one line, when Redis does not answer: the fleet's own
 * connections would wait for it forever (and BullMQ would print a stack
 * trace per reconnect). Throws a CliError (exit 1) naming the URL, the
 * reason and the hint.
 */
export async function probeRedis(url: string, options: ProbeRedisOptions): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    const failure = await attempt(url, options.connectTimeoutMs);
    if (failure === undefined) return;
    if (Date.now() + 250 > deadline) {
      throw new CliError(`cannot reach Redis at ${redactUrl(url)}: ${networkReason(failure)}; ${options.hint}`, EXIT.failed);
    }
    await sleep(250);
  }
}
