import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface ResolvedRedis {
  url: string;
  /** True when this process started a private redis-server for the run. */
  started: boolean;
  /** Stops the private server, if one was started. */
  stop(): Promise<void>;
  /** Kills the private server at once (SIGKILL), if one was started and still runs. */
  kill(): void;
}

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * Redis for a local run: `REDIS_URL` (or the default address) when it
 * answers; else a private, memory-only `redis-server` on a free port when
 * one is installed; else an error saying how to get Redis.
 */
export async function resolveRedis(env: Record<string, string | undefined>): Promise<ResolvedRedis> {
  const url = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await answers(url)) return { url, started: false, stop: () => Promise.resolve(), kill: () => undefined };

  const installed = spawnSync('redis-server', ['--version'], { stdio: 'ignore', env }).status === 0;
  if (!installed) {
    throw new RedisUnavailableError(
      `no Redis answered at ${url}, and redis-server is not installed. Start Redis (docker compose up -d redis, ` +
        `or apt-get install redis-server, or brew install redis) or set REDIS_URL to one that runs.`,
    );
  }
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
    env,
  });
  const exited = once(server, 'exit');
  const privateUrl = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answers(privateUrl))) {
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill('SIGKILL');
      throw new RedisUnavailableError(`no Redis answered at ${url}, and a private redis-server on port ${port} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: privateUrl,
    started: true,
    stop: async () => {
      if (server.exitCode === null) server.kill('SIGTERM');
      await exited;
    },
    kill: () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    },
  };
}
