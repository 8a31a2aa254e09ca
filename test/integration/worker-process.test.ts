import { afterEach, describe, expect, it } from 'vitest';
import type { TierWorkerProcess } from '../../src/cli/spawn-tier-worker.js';
import { harnessWorkerProcesses } from '../helpers/harness-worker-process.js';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

let fleet: FleetHarness | undefined;
const workers = harnessWorkerProcesses();

afterEach(async () => {
  await workers.stopAll();
  await fleet?.close();
  fleet = undefined;
});

const startWorkerProcess = (h: FleetHarness, tier: string, concurrency?: number): Promise<TierWorkerProcess> =>
  workers.start(h, tier, concurrency === undefined ? {} : { concurrency });

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('worker processes', () => {
  it('lose nothing when one is killed with SIGKILL mid-job: the job completes on another', async () => {
    fleet = await startFleetHarness({ workers: [] });
    const h = fleet;
    h.emulator.state.override(MODELS.small[0], { latency: { baseMs: 60_000 } });
    const doomed = await startWorkerProcess(h, 'small');
    await h.producer.enqueue({ id: 'kill-1', tier: 'small', prompt: 'Hello.' });
    await until(async () => (await h.read('kill-1'))?.state === 'active');

    doomed.stop('SIGKILL').catch(() => undefined);
    expect(await doomed.exited).toBeNull();
    h.emulator.state.clearOverrides();
    const survivor = await startWorkerProcess(h, 'small');

    const result = await h.waitFor('kill-1', ['completed', 'failed'], 20_000);
    expect(result.state).toBe('completed');
    expect(result.answer?.model).toBe(MODELS.small[0]);
    const job = await h.queues.queue('small').getJob('kill-1');
    expect(job?.processedBy).toContain(`:${survivor.pid}:small`);
  });

  it('drain in-flight jobs on SIGTERM and take no new ones', async () => {
    fleet = await startFleetHarness({ workers: [] });
    const h = fleet;
    h.emulator.state.override('*', { latency: { baseMs: 1_500 } });
    const worker = await startWorkerProcess(h, 'small', 2);
    for (const id of ['drain-1', 'drain-2', 'drain-3', 'drain-4']) await h.producer.enqueue({ id, tier: 'small', prompt: 'Hi.' });
    await until(async () => (await h.queues.queue('small').getActiveCount()) === 2);

    const exitCode = worker.stop('SIGTERM');
    expect(await exitCode).toBe(0);
    const states = await Promise.all(['drain-1', 'drain-2', 'drain-3', 'drain-4'].map(async (id) => (await h.read(id))?.state));
    expect(states.filter((s) => s === 'completed')).toHaveLength(2);
    expect(states.filter((s) => s === 'queued')).toHaveLength(2);
  });

  it('hand jobs cut off by the grace period back to the queue, where another worker finishes them', async () => {
    fleet = await startFleetHarness({
      workers: [],
      fleet: (input) => {
        input.workers = { ...(input.workers as object), shutdownGraceMs: 300 };
      },
    });
    const h = fleet;
    h.emulator.state.override('*', { latency: { baseMs: 60_000 } });
    const worker = await startWorkerProcess(h, 'small', 2);
    await h.producer.enqueue({ id: 'cut-1', tier: 'small', prompt: 'Hi.' });
    await until(async () => (await h.read('cut-1'))?.state === 'active');

    const started = Date.now();
    expect(await worker.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await h.read('cut-1'))?.state).toBe('queued');

    h.emulator.state.clearOverrides();
    await h.startWorker('small');
    const result = await h.waitFor('cut-1');
    expect(result.state).toBe('completed');
    // The call the shutdown cut off is on the record (a cancelled call, no model error), then the one that answered.
    expect(result.attempts.map((a) => [a.outcome, a.error?.kind])).toEqual([
      ['error', 'cancelled'],
      ['accepted', undefined],
    ]);
  });
});
