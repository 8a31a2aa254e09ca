import type { Metrics } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { completedPerMinuteFrom } from '../../src/queue/read-scaling.js';

const MINUTE = 60_000;
const T0 = 29_000_000 * MINUTE; // a whole minute

function metrics(meta: Metrics['meta'], data: number[]): Metrics {
  return { meta, data, count: data.length };
}

describe('completedPerMinuteFrom (BullMQ metrics → jobs per minute)', () => {
  it('is undefined when the queue has no metrics (workers without the metrics option)', () => {
    expect(completedPerMinuteFrom(metrics({ count: 0, prevTS: 0, prevCount: 0 }, []), T0)).toBeUndefined();
  });

  it('averages the five whole minutes before now while jobs keep finishing', () => {
    // The last job finished in this minute: data[0..4] are the five minutes before it.
    const m = metrics({ count: 1_000, prevTS: T0 + 5_000, prevCount: 990 }, [10, 20, 30, 40, 50]);
    expect(completedPerMinuteFrom(m, T0 + 30_000)).toBe(30);
  });

  it("counts the last recorded minute's jobs once that minute is over", () => {
    // Last job 2 minutes ago: minute -1 had none, minute -2 had 12 (pending), then data.
    const m = metrics({ count: 112, prevTS: T0 - 2 * MINUTE + 1_000, prevCount: 100 }, [8, 8, 8, 8, 8]);
    expect(completedPerMinuteFrom(m, T0 + 1_000)).toBe((0 + 12 + 8 + 8 + 8) / 5);
  });

  it('is 0 when nothing finished in the last five minutes', () => {
    const m = metrics({ count: 500, prevTS: T0 - 10 * MINUTE, prevCount: 490 }, [60, 60, 60, 60, 60]);
    expect(completedPerMinuteFrom(m, T0)).toBe(0);
  });

  it('averages only the minutes metrics cover when they began less than five minutes ago', () => {
    const m = metrics({ count: 30, prevTS: T0 - MINUTE + 10, prevCount: 20 }, [20]);
    expect(completedPerMinuteFrom(m, T0 + 5)).toBe((10 + 20) / 2);
    // Metrics began this minute: no whole minute yet.
    expect(completedPerMinuteFrom(metrics({ count: 3, prevTS: T0 + 10, prevCount: 0 }, []), T0 + 20)).toBeUndefined();
  });
});
