import { afterEach, describe, expect, it, vi } from 'vitest';
import { Started } from '../../../workers/up.js';

afterEach(() => vi.restoreAllMocks());

const stopped = (_signal?: NodeJS.Signals): Promise<number | null> => Promise.resolve(null);

describe("fleet up's second Ctrl-C (kill at once)", () => {
  it('kills the API, the workers, the emulator and the private redis-server', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const apiStop = vi.fn(stopped);
    const workerStops = [vi.fn(stopped), vi.fn(stopped)];
    const redisKill = vi.fn<() => void>();
    const started = new Started();
    started.redis = { url: 'redis://127.0.0.1:1', started: true, stop: () => Promise.resolve(), kill: redisKill };
    started.emulator = { url: 'http://127.0.0.1:1', pid: 4242, stop: () => Promise.resolve(0) };
    started.workers = workerStops.map((stop, i) => ({ tier: `t${i}`, pid: 1000 + i, exited: Promise.resolve(null), stop }));
    started.api = { url: 'http://127.0.0.1:2', pid: 999, exited: Promise.resolve(null), stop: apiStop };

    started.kill();

    expect(apiStop).toHaveBeenCalledWith('SIGKILL');
    for (const stop of workerStops) expect(stop).toHaveBeenCalledWith('SIGKILL');
    expect(kill).toHaveBeenCalledWith(4242, 'SIGKILL');
    expect(redisKill).toHaveBeenCalledTimes(1);
  });

  it("does not signal the emulator once it has exited (its pid may be someone else's by then)", async () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const started = new Started();
    started.emulator = { url: 'http://127.0.0.1:1', pid: 4242, stop: () => Promise.resolve(0) };
    await started.stop();
    started.kill();
    expect(kill).not.toHaveBeenCalled();
  });
});
