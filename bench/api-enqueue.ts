/**
 * API enqueue rate: one 100,000-document batch streamed as NDJSON over real
 * HTTP to `fleet api` in its own process (Redis, no workers), timed from the
 * first byte sent to the 202. Also the API process's peak memory (VmHWM),
 * to show the batch is not loaded twice.
 *
 *   npm run bench:api -- [--documents 100000] [--repeat 3] [--out bench/results/api-enqueue.json]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { resolveRedis } from '../src/cli/resolve-redis.js';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/api-enqueue.json' },
  },
});
const DOCUMENTS = Number(values.documents);
const FLEET_BIN = fileURLToPath(new URL('../bin/fleet.mjs', import.meta.url));
const KEY = 'bench-key-0123456789abcdef';

const TEXT =
  'The quarterly report shows revenue up eight percent, driven by the new subscription tier, while support tickets fell after the ' +
  'redesign of the onboarding flow. Costs rose with the move to a second region; the board asked for a plan to bring them back ' +
  'within budget by the end of the year, and for a summary of the risks in the supplier contracts renewed this spring.';

function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:')) ?? '';
  return Math.round(Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024);
}

async function startApi(env: NodeJS.ProcessEnv): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [FLEET_BIN, 'api', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [{ url: string }];
  return {
    url: message.url,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

function ndjson(batch: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      let chunk = '';
      for (let n = 0; n < 1_000 && i < DOCUMENTS; n += 1, i += 1) chunk += `${JSON.stringify({ document: `${TEXT} (${batch}/${i})`, tags: { bench: 'api' } })}\n`;
      controller.enqueue(encoder.encode(chunk));
      if (i >= DOCUMENTS) controller.close();
    },
  });
}

const redisInfo = await resolveRedis(process.env);
const runs = [];
try {
  for (let r = 0; r < Number(values.repeat); r += 1) {
    const fleetName = `bench-api-${r}-${Date.now().toString(36)}`;
    const api = await startApi({ ...process.env, REDIS_URL: redisInfo.url, FLEET_NAME: fleetName, FLEET_API_KEYS: `bench:${KEY}`, LOG_LEVEL: 'warn' });
    try {
      const started = performance.now();
      const response = await fetch(`${api.url}/v1/batches?task=summarization&id=bench-${r}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' },
        body: ndjson(r),
        duplex: 'half',
      });
      const body = (await response.json()) as { accepted: number; refusedCount: number };
      const seconds = (performance.now() - started) / 1000;
      const run = {
        documents: DOCUMENTS,
        status: response.status,
        accepted: body.accepted,
        refused: body.refusedCount,
        seconds: Math.round(seconds * 100) / 100,
        documentsPerSecond: Math.round(DOCUMENTS / seconds),
        apiPeakRssMb: peakRssMb(api.pid),
      };
      runs.push(run);
      console.log(`${run.accepted} of ${DOCUMENTS} accepted in ${run.seconds} s: ${run.documentsPerSecond} documents/s; API peak RSS ${run.apiPeakRssMb} MB`);
    } finally {
      await api.stop();
      const redis = new Redis(redisInfo.url);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `{${fleetName}}:*`, 'COUNT', 5_000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    }
  }
} finally {
  await redisInfo.stop();
}
writeFileSync(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, runs }, null, 2)}\n`,
);
console.log(`written to ${values.out}`);
