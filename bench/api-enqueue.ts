/**
 * API enqueue rate: one 100,000-document batch streamed as NDJSON over real
 * HTTP to `fleet api` in its own process (Redis, no workers), timed from the
 * first byte sent to the 202. Also the API process's peak memory (VmHWM),
 * to show the batch is not loaded twice.
 *
 * With `--ids`, each document carries its own id (as a folder's file names
 * do), so each job also keeps a digest of its request.
 *
 *   npm run bench:api -- [--documents 100000] [--repeat 3] [--ids] [--out bench/results/api-enqueue.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { resolveRedis } from '../src/cli/resolve-redis.js';
import { spawnApiProcess } from '../src/cli/spawn-api-process.js';
import { removeFleetKeys } from '../src/queue/remove-fleet-keys.js';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '100000' },
    repeat: { type: 'string', default: '3' },
    ids: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/api-enqueue.json' },
  },
});
const DOCUMENTS = Number(values.documents);
const KEY = 'bench-key-0123456789abcdef';

const TEXT =
  'The quarterly report shows revenue up eight percent, driven by the new subscription tier, while support tickets fell after the ' +
  'redesign of the onboarding flow. Costs rose with the move to a second region; the board asked for a plan to bring them back ' +
  'within budget by the end of the year, and for a summary of the risks in the supplier contracts renewed this spring.';

function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:')) ?? '';
  return Math.round(Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024);
}

function ndjson(batch: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      let chunk = '';
      for (let n = 0; n < 1_000 && i < DOCUMENTS; n += 1, i += 1) chunk += `${JSON.stringify({ ...(values.ids ? { id: `doc-${String(i)}` } : {}), document: `${TEXT} (${batch}/${i})`, tags: { bench: 'api' } })}\n`;
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
    const api = await spawnApiProcess({ port: 0, env: { REDIS_URL: redisInfo.url, FLEET_NAME: fleetName, FLEET_API_KEYS: `bench:${KEY}`, LOG_LEVEL: 'warn' } });
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
        ids: values.ids,
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
      await removeFleetKeys(redis, fleetName);
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
