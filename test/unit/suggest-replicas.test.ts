import { describe, expect, it } from 'vitest';
import { suggestReplicas } from '../../src/core/scaling/suggest-replicas.js';

const base = { currentReplicas: 2, fallbackPerMinutePerReplica: 8 };

describe('suggestReplicas', () => {
  it('suggests the minimum when there is no backlog', () => {
    const idle = suggestReplicas({ ...base, backlog: 0, completedPerMinutePerReplica: 30 });
    expect(idle).toEqual({ replicas: 1, reason: 'no backlog: the minimum, 1 (down from 2)' });
    expect(suggestReplicas({ ...base, backlog: 0, min: 3 }).replicas).toBe(3);
    expect(suggestReplicas({ ...base, backlog: 0, min: 0 }).replicas).toBe(0);
  });

  it('drains the backlog within the target at the observed rate', () => {
    // 10 jobs/min per replica: 10 per replica within 60 s; 95 jobs need 10 replicas.
    const s = suggestReplicas({ ...base, backlog: 95, completedPerMinutePerReplica: 10 });
    expect(s.replicas).toBe(10);
    expect(s.reason).toMatch(/observed/);
    expect(s.reason).toMatch(/up from 2/);
    // A 30 s target halves what one replica drains in time.
    expect(suggestReplicas({ ...base, backlog: 95, completedPerMinutePerReplica: 10, targetDrainSeconds: 30 }).replicas).toBe(19);
    // Exactly enough, not one more.
    expect(suggestReplicas({ ...base, backlog: 100, completedPerMinutePerReplica: 10 }).replicas).toBe(10);
  });

  it('uses the fallback rate when no rate was observed (0 or undefined)', () => {
    for (const observed of [undefined, 0, Number.NaN]) {
      const s = suggestReplicas({ ...base, backlog: 40, completedPerMinutePerReplica: observed });
      expect(s.replicas).toBe(5);
      expect(s.reason).toMatch(/estimated/);
    }
  });

  it('clamps to [min, max] and says so', () => {
    const capped = suggestReplicas({ ...base, backlog: 10_000, completedPerMinutePerReplica: 10 });
    expect(capped.replicas).toBe(20);
    expect(capped.reason).toMatch(/capped at the maximum, 20/);
    expect(suggestReplicas({ ...base, backlog: 10_000, completedPerMinutePerReplica: 10, max: 6 }).replicas).toBe(6);
    const raised = suggestReplicas({ ...base, backlog: 1, completedPerMinutePerReplica: 100, min: 2 });
    expect(raised.replicas).toBe(2);
    expect(raised.reason).toMatch(/raised to the minimum, 2 \(stay at 2\)/);
  });

  it('says when it scales down', () => {
    expect(suggestReplicas({ ...base, currentReplicas: 8, backlog: 15, completedPerMinutePerReplica: 10 }).reason).toMatch(/down from 8/);
  });

  it('keeps the current replicas (within bounds) when no rate is known at all', () => {
    const s = suggestReplicas({ backlog: 50, currentReplicas: 3, fallbackPerMinutePerReplica: 0 });
    expect(s.replicas).toBe(3);
    expect(s.reason).toMatch(/no rate/);
    expect(suggestReplicas({ backlog: 50, currentReplicas: 0, fallbackPerMinutePerReplica: 0 }).replicas).toBe(1);
  });

  it('treats a negative or fractional backlog sensibly', () => {
    expect(suggestReplicas({ ...base, backlog: -5 }).replicas).toBe(1);
    expect(suggestReplicas({ ...base, backlog: 8.2, completedPerMinutePerReplica: 1 }).replicas).toBe(9);
  });

  it('refuses bounds and targets that make no sense', () => {
    expect(() => suggestReplicas({ ...base, backlog: 1, min: 5, max: 2 })).toThrow(RangeError);
    expect(() => suggestReplicas({ ...base, backlog: 1, min: -1 })).toThrow(RangeError);
    expect(() => suggestReplicas({ ...base, backlog: 1, targetDrainSeconds: 0 })).toThrow(RangeError);
  });
});
