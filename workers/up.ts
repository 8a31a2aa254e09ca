/**
 * `fleet up`: the whole fleet on this machine until Ctrl-C. Redis
 * (REDIS_URL, or a private redis-server), the emulator unless real Bedrock
 * is configured, one worker process per tier and the API process; API keys
 * generated when FLEET_API_KEYS is unset. SIGINT/SIGTERM stops everything it
 * started: the API, then the workers (they drain), the emulator, the private
 * Redis. A second signal kills what is still running.
 */
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiKeyEntry } from '../src/api/auth/api-key-table.js';
import { loadApiSettings } from '../src/config/api-settings.js';
import { loadSettings } from '../src/config/load-settings.js';
import { chooseBedrockTarget } from '../src/cli/bedrock-target.js';
import { checkScenarioFile } from '../src/cli/check-scenario-file.js';
import { CliError, errorCode, EXIT, redactUrl } from '../src/cli/cli-error.js';
import { directModeExports } from '../src/cli/direct-mode-exports.js';
import { formatApiKeys, generateLocalApiKeys, LOCAL_TENANT } from '../src/cli/local-api-keys.js';
import { resolveRedis, type ResolvedRedis } from '../src/cli/resolve-redis.js';
import { spawnApiProcess, type ApiProcess } from '../src/cli/spawn-api-process.js';
import { spawnTierWorker, type TierWorkerProcess } from '../src/cli/spawn-tier-worker.js';
import { metricsPorts } from '../src/cli/metrics-ports.js';
import { spawnEmulatorProcess, type EmulatorProcess } from '../src/emulator/spawn-emulator-process.js';

export interface FleetUpOptions {
  /** The API's port; 0 picks a free one (printed as `API: <url>`). */
  port: number;
  host: string;
  /** `emulator`: start the emulator even when BEDROCK_ENDPOINT or AWS credentials are set; `bedrock`: real Bedrock even when no credentials are in the environment. */
  force?: 'emulator' | 'bedrock';
  scenarioFile?: string;
  /** Where the processes' logs go; a new temporary folder when unset. */
  logDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Human-readable lines (stderr by default). */
  note?: (text: string) => void;
  /** Called once everything runs, with what a script needs. */
  ready?: (info: FleetUpInfo) => void;
}

export interface FleetUpInfo {
  url: string;
  fleet: string;
  redis: { url: string; started: boolean };
  /** `emulator`, `aws`, or the BEDROCK_ENDPOINT used. */
  bedrock: string;
  emulator?: { url: string; pid: number };
  api: { pid: number };
  workers: { tier: string; pid: number }[];
  logDir: string;
  /** The keys generated for this run, when FLEET_API_KEYS was unset. */
  keys?: ApiKeyEntry[];
  /** Where each process serves its Prometheus metrics, when FLEET_METRICS_PORT is set. */
  metrics?: { api: number; workers: Record<string, number> };
}

/** Everything `fleet up` started, stopped in reverse order (exported for tests). */
export class Started {
  redis?: ResolvedRedis;
  emulator?: EmulatorProcess;
  workers: TierWorkerProcess[] = [];
  api?: ApiProcess;
  /** The emulator has exited: its pid is no longer ours to signal. */
  private emulatorGone = false;

  async stop(): Promise<void> {
    await this.api?.stop('SIGTERM').catch(() => undefined);
    await Promise.allSettled(this.workers.map((w) => w.stop('SIGTERM')));
    if (this.emulator !== undefined) {
      await this.emulator.stop().catch(() => undefined);
      this.emulatorGone = true;
    }
    await this.redis?.stop().catch(() => undefined);
  }

  /** Everything still running, at once (SIGKILL): the API, the workers, the emulator, a private redis-server. */
  kill(): void {
    void this.api?.stop('SIGKILL').catch(() => undefined);
    for (const worker of this.workers) void worker.stop('SIGKILL').catch(() => undefined);
    if (this.emulator !== undefined && !this.emulatorGone) {
      try {
        process.kill(this.emulator.pid, 'SIGKILL');
      } catch {
        // Exited already.
      }
    }
    this.redis?.kill();
  }
}

/** The log folder: made when missing; a file of that name, or a folder that cannot be made, is bad usage (exit 2). */
function prepareLogDir(dir: string): void {
  let isFolder: boolean | undefined;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch {
    isFolder = undefined;
  }
  if (isFolder === false) throw new CliError(`--logs "${dir}" is a file, not a folder; name a folder (it is made when missing)`, EXIT.usage);
  if (isFolder === true) return;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = errorCode(error);
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'part of its path is a file' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot make the log folder "${dir}" (--logs): ${why}; name another folder`, EXIT.usage);
  }
}

function adminTenantOf(env: NodeJS.ProcessEnv): string {
  return (env.FLEET_ADMIN_TENANTS ?? '').split(',').map((t) => t.trim()).find((t) => t !== '') ?? 'admin';
}

function describeBedrock(target: ReturnType<typeof chooseBedrockTarget>, emulator: EmulatorProcess | undefined, region: string): string {
  if (target.kind === 'emulator') return `the emulator at ${emulator?.url ?? '?'} (no AWS calls)`;
  if (target.kind === 'endpoint') return `BEDROCK_ENDPOINT ${target.url}`;
  return `real Bedrock in ${region}, with the AWS SDK's default credentials (environment, ~/.aws, or the instance or task role)`;
}

/** Starts the fleet, waits for SIGINT/SIGTERM (or a process that dies), stops everything; resolves with the exit code. */
export async function runFleetUp(options: FleetUpOptions): Promise<number> {
  const baseEnv = options.env ?? process.env;
  const note = options.note ?? ((text: string) => process.stderr.write(`${text}\n`));
  // Bad usage is said before anything starts: a scenario file that would make the emulator exit, a log folder that is a file.
  if (options.scenarioFile !== undefined) await checkScenarioFile(options.scenarioFile);
  if (options.logDir !== undefined) prepareLogDir(options.logDir);
  const started = new Started();

  let signalled: NodeJS.Signals | undefined;
  let wake = (): void => undefined;
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined) {
      note(`${signal} again: killing what is still running`);
      started.kill();
      return;
    }
    signalled = signal;
    note(`${signal}: stopping everything (again to kill at once)`);
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'fleet-up-'));
  try {
    started.redis = await resolveRedis(baseEnv);
    const redis = started.redis;
    const env: NodeJS.ProcessEnv = { ...baseEnv, REDIS_URL: redis.url };
    const settings = loadSettings({ env });
    const fleetName = settings.fleet.name;
    note(redis.started ? `Redis: started a private redis-server at ${redis.url}` : `Redis: ${redactUrl(redis.url)}`);

    // API keys first: a bad FLEET_API_KEYS stops us before anything else starts.
    const generated = (env.FLEET_API_KEYS ?? '') === '' && (env.FLEET_API_KEYS_FILE ?? '') === '' ? generateLocalApiKeys(adminTenantOf(env)) : undefined;
    const apiEnv: NodeJS.ProcessEnv = { ...env, ...(generated === undefined ? {} : { FLEET_API_KEYS: formatApiKeys(generated) }) };
    loadApiSettings(apiEnv);
    // Each process on its own metrics port when FLEET_METRICS_PORT is set (the API's, then one per tier).
    const ports = metricsPorts(env, settings.fleet.tiers.map((t) => t.name));

    const target = chooseBedrockTarget(env, options.force);
    if (target.kind === 'emulator') {
      started.emulator = await spawnEmulatorProcess({ ...(options.scenarioFile === undefined ? {} : { scenarioFile: options.scenarioFile }), env });
    }
    note(`Bedrock: ${describeBedrock(target, started.emulator, settings.region)}`);

    const workerEnv: NodeJS.ProcessEnv = { ...env, ...(started.emulator === undefined ? {} : { BEDROCK_ENDPOINT: started.emulator.url }) };
    const spawned = await Promise.allSettled(
      settings.fleet.tiers.map((tier) => {
        const port = ports?.workers.get(tier.name);
        const tierEnv = port === undefined ? workerEnv : { ...workerEnv, FLEET_METRICS_PORT: String(port) };
        return spawnTierWorker({ tier: tier.name, env: tierEnv, logFile: join(logDir, `worker-${tier.name}.log`) });
      }),
    );
    started.workers = spawned.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = spawned.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      throw new CliError(`${String(failed.reason instanceof Error ? failed.reason.message : failed.reason)}; see the logs in ${logDir}`);
    }
    note(`workers: ${started.workers.map((w) => `${w.tier} (pid ${w.pid})`).join(', ')}`);

    try {
      started.api = await spawnApiProcess({ port: options.port, host: options.host, env: apiEnv, logFile: join(logDir, 'api.log') });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new CliError(`${why}; pick another port with --port, and see ${join(logDir, 'api.log')}`);
    }
    const url = started.api.url;
    note(`API: ${url}  (OpenAPI: ${url}/docs, dashboards: ${url}/admin)`);
    if (ports !== undefined) {
      note(`metrics (GET /metrics): API on port ${String(ports.api)}, workers on ${[...ports.workers].map(([tier, port]) => `${String(port)} (${tier})`).join(', ')}`);
    }
    if (generated !== undefined) {
      note('API keys generated for this run (set FLEET_API_KEYS to choose your own):');
      for (const entry of generated) note(`  ${entry.tenant.padEnd(8)} ${entry.key}${entry.tenant === LOCAL_TENANT ? '' : '   (admin: dashboards)'}`);
    }
    const localKey = generated?.find((k) => k.tenant === LOCAL_TENANT)?.key ?? '<a key from your FLEET_API_KEYS>';
    note('In another shell:');
    note(`  export FLEET_API_URL=${url} FLEET_API_KEY=${localKey}`);
    note(`  fleet enqueue DIR --task summarization   then   fleet status BATCH --watch   and   fleet results BATCH -o out.jsonl`);
    note(`  (straight to Redis instead: ${directModeExports(env, { redisUrl: redis.url, name: fleetName })}, and leave FLEET_API_URL unset)`);
    note(`logs: ${logDir} (api.log, ${started.workers.map((w) => `worker-${w.tier}.log`).join(', ')})`);
    note('Ctrl-C stops everything.');
    options.ready?.({
      url,
      fleet: fleetName,
      redis: { url: redis.url, started: redis.started },
      bedrock: target.kind === 'endpoint' ? target.url : target.kind,
      ...(started.emulator === undefined ? {} : { emulator: { url: started.emulator.url, pid: started.emulator.pid } }),
      api: { pid: started.api.pid },
      workers: started.workers.map((w) => ({ tier: w.tier, pid: w.pid })),
      logDir,
      ...(generated === undefined ? {} : { keys: generated }),
      ...(ports === undefined ? {} : { metrics: { api: ports.api, workers: Object.fromEntries(ports.workers) } }),
    });

    // Until a signal, or until one of our processes dies on its own.
    const api = started.api;
    const died = await Promise.race([
      stopRequested.then(() => undefined),
      api.exited.then((code) => ({ what: 'the API', code, log: 'api.log' })),
      ...started.workers.map((w) => w.exited.then((code) => ({ what: `the worker for tier ${w.tier}`, code, log: `worker-${w.tier}.log` }))),
    ]);
    if (died !== undefined) {
      // A Ctrl-C reaches the children too; give our own handler a moment to see it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (signalled === undefined) {
        note(`fleet: ${died.what} exited (code ${died.code ?? 'signal'}); see ${join(logDir, died.log)}; stopping everything`);
        return EXIT.failed;
      }
    }
    return EXIT.ok;
  } catch (error) {
    // Interrupted while starting: the children saw the signal too, and their failures are expected.
    if (signalled !== undefined) return EXIT.ok;
    throw error;
  } finally {
    const anything = started.api !== undefined || started.workers.length > 0 || started.emulator !== undefined;
    await started.stop();
    if (anything) note(`stopped${started.redis?.started === true ? ' (and the private redis-server)' : ''}; logs stay in ${logDir}`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
