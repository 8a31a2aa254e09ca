/**
 * Emulator throughput: non-streamed Converse calls per second at zero
 * latency, from one client process (the real SDK client) to an emulator in
 * its own process, on both transports. Later benchmarks subtract this cost.
 *
 *   npm run bench:emulator -- [--seconds 10] [--concurrency 32,128] [--out bench/results/emulator-throughput.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createBedrockClient, EMULATOR_CREDENTIALS } from '../src/converse/create-bedrock-client.js';
import { createBedrockModelClient } from '../src/converse/bedrock-model-client.js';
import { spawnEmulatorProcess } from '../src/emulator/spawn-emulator-process.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32,128' },
    out: { type: 'string', default: 'bench/results/emulator-throughput.json' },
  },
});
const seconds = Number(values.seconds);
const levels = values.concurrency.split(',').map(Number);
const MODEL = 'amazon.nova-micro-v1:0';

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  transport: 'http2' | 'http1';
  concurrency: number;
  calls: number;
  errors: number;
  seconds: number;
  callsPerSecond: number;
  /** Emulator CPU time per call (its own process), in microseconds. */
  emulatorCpuUsPerCall: number;
  /** Client CPU time per call (SDK + adapter, this process), in microseconds. */
  clientCpuUsPerCall: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function measure(emulatorPid: number, url: string, transport: Run['transport'], concurrency: number): Promise<Run> {
  const client = createBedrockClient({ region: 'us-east-1', endpoint: url, credentials: EMULATOR_CREDENTIALS, transport, maxSockets: concurrency });
  const models = createBedrockModelClient({ client, priceOf: () => ({ inputPer1k: 0.000035, outputPer1k: 0.00014 }) });
  const request = { modelId: MODEL, messages: [{ role: 'user' as const, content: [{ text: 'Summarise the benefits of queues in one paragraph.' }] }] };
  // Warm up connections and the JIT before timing.
  await Promise.all(Array.from({ length: concurrency }, () => models.converse(request)));

  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const emulatorCpu = cpuSeconds(emulatorPid);
  const clientCpu = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await models.converse(request);
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const emulatorUs = (cpuSeconds(emulatorPid) - emulatorCpu) * 1e6;
  const clientUsage = process.cpuUsage(clientCpu);
  client.destroy();
  latencies.sort((a, b) => a - b);
  return {
    transport,
    concurrency,
    calls: latencies.length,
    errors,
    seconds: Number(elapsed.toFixed(2)),
    callsPerSecond: Math.round(latencies.length / elapsed),
    emulatorCpuUsPerCall: Math.round(emulatorUs / latencies.length),
    clientCpuUsPerCall: Math.round((clientUsage.user + clientUsage.system) / latencies.length),
    p50Ms: Number(percentile(latencies, 0.5).toFixed(2)),
    p99Ms: Number(percentile(latencies, 0.99).toFixed(2)),
  };
}

const emulator = await spawnEmulatorProcess();
const runs: Run[] = [];
try {
  for (const transport of ['http2', 'http1'] as const) {
    for (const concurrency of levels) {
      const run = await measure(emulator.pid, emulator.url, transport, concurrency);
      runs.push(run);
      console.log(
        `${transport.padEnd(5)} c=${String(concurrency).padStart(3)}  ${String(run.callsPerSecond).padStart(6)} calls/s  p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  cpu/call emulator ${run.emulatorCpuUsPerCall} µs, client ${run.clientCpuUsPerCall} µs  (${run.calls} calls, ${run.errors} errors)`,
      );
    }
  }
} finally {
  await emulator.stop();
}
const record = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  secondsPerRun: seconds,
  model: MODEL,
  runs,
};
writeFileSync(values.out, `${JSON.stringify(record, null, 2)}\n`);
console.log(`written to ${values.out}`);
