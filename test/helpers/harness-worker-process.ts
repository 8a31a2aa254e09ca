import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTierWorker, type TierWorkerProcess } from '../../src/cli/spawn-tier-worker.js';
import { REDIS_URL, type FleetHarness } from './fleet-harness.js';

/** Worker processes of a test and the folders of their fleet files; `stopAll()` in afterEach. */
export interface HarnessWorkerProcesses {
  /** A real `fleet worker` process for the harness's fleet and emulator (more environment in `env`). */
  start(h: FleetHarness, tier: string, options?: { concurrency?: number; env?: Record<string, string> }): Promise<TierWorkerProcess>;
  /** Kills every process started, and removes their fleet files. */
  stopAll(): Promise<void>;
}

export function harnessWorkerProcesses(): HarnessWorkerProcesses {
  const processes: TierWorkerProcess[] = [];
  const dirs: string[] = [];
  return {
    async start(h, tier, options = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'fleet-test-'));
      dirs.push(dir);
      const file = join(dir, 'fleet.json');
      writeFileSync(file, JSON.stringify(h.fleetInput));
      const worker = await spawnTierWorker({
        tier,
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        env: { FLEET_CONFIG: file, REDIS_URL, BEDROCK_ENDPOINT: h.emulator.url, LOG_LEVEL: 'warn', ...options.env },
      });
      processes.push(worker);
      return worker;
    },
    async stopAll() {
      await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
