import { describe, expect, it } from 'vitest';
import { assignVariant, bucketOf, stickyKey } from '../../../src/core/experiments/assign-variant.js';

const variants = [
  { name: 'a', weight: 70 },
  { name: 'b', weight: 20 },
  { name: 'c', weight: 10 },
];

describe('assignVariant', () => {
  it('honours the weights over 10,000 keys, each share within 1.5 points', () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i += 1) {
      const variant = assignVariant('checkout-prompt', `tenant:t${i}`, variants);
      counts[variant!.name] = (counts[variant!.name] ?? 0) + 1;
    }
    expect(Math.abs((counts.a ?? 0) / 10_000 - 0.7)).toBeLessThan(0.015);
    expect(Math.abs((counts.b ?? 0) / 10_000 - 0.2)).toBeLessThan(0.015);
    expect(Math.abs((counts.c ?? 0) / 10_000 - 0.1)).toBeLessThan(0.015);
  });

  it('weights are relative: 1:1 splits as 50:50 does', () => {
    const half = [
      { name: 'x', weight: 1 },
      { name: 'y', weight: 1 },
    ];
    const fifty = [
      { name: 'x', weight: 50 },
      { name: 'y', weight: 50 },
    ];
    for (let i = 0; i < 500; i += 1) {
      expect(assignVariant('e', `k${i}`, half)?.name).toBe(assignVariant('e', `k${i}`, fifty)?.name);
    }
  });

  it('is deterministic: the same experiment and key always give the same variant', () => {
    const first = Array.from({ length: 200 }, (_, i) => assignVariant('exp', `job:${i}`, variants)?.name);
    const again = Array.from({ length: 200 }, (_, i) => assignVariant('exp', `job:${i}`, variants)?.name);
    expect(again).toEqual(first);
    expect(bucketOf('exp', 'job:1')).toBe(bucketOf('exp', 'job:1'));
    expect(bucketOf('exp', 'job:1')).toBeGreaterThanOrEqual(0);
    expect(bucketOf('exp', 'job:1')).toBeLessThan(1);
  });

  it('hashes the experiment name too: two experiments split the same keys independently', () => {
    const two = [
      { name: 'x', weight: 1 },
      { name: 'y', weight: 1 },
    ];
    let same = 0;
    for (let i = 0; i < 2_000; i += 1) if (assignVariant('one', `k${i}`, two)?.name === assignVariant('two', `k${i}`, two)?.name) same += 1;
    // Independent halves agree about half the time, not always.
    expect(same / 2_000).toBeGreaterThan(0.4);
    expect(same / 2_000).toBeLessThan(0.6);
  });

  it('never chooses a variant of weight 0, wherever it stands', () => {
    const withZero = [
      { name: 'off-first', weight: 0 },
      { name: 'on', weight: 3 },
      { name: 'off-middle', weight: 0 },
      { name: 'also-on', weight: 1 },
      { name: 'off-last', weight: 0 },
    ];
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i += 1) seen.add(assignVariant('z', `k${i}`, withZero)?.name ?? 'none');
    expect([...seen].sort()).toEqual(['also-on', 'on']);
  });

  it('chooses nothing when no variant has weight', () => {
    expect(assignVariant('z', 'k', [{ name: 'a', weight: 0 }])).toBeUndefined();
    expect(assignVariant('z', 'k', [])).toBeUndefined();
  });
});

describe('stickyKey', () => {
  const job = { tenant: 'acme', id: 'job-1', metadata: { user: 'u-7', n: 3 } };

  it('sticks per tenant, per job id, or per metadata value', () => {
    expect(stickyKey('tenant', job)).toBe('tenant:acme');
    expect(stickyKey('tenant', { ...job, id: 'job-2' })).toBe(stickyKey('tenant', job));
    expect(stickyKey('job', job)).toBe('job:job-1');
    expect(stickyKey('job', { ...job, id: 'job-2' })).not.toBe(stickyKey('job', job));
    expect(stickyKey({ metadata: 'user' }, job)).toBe('metadata:string:u-7');
    expect(stickyKey({ metadata: 'user' }, { ...job, tenant: 'other', id: 'x' })).toBe(stickyKey({ metadata: 'user' }, job));
  });

  it('keeps a number apart from the same digits as text', () => {
    expect(stickyKey({ metadata: 'n' }, job)).not.toBe(stickyKey({ metadata: 'n' }, { ...job, metadata: { n: '3' } }));
  });

  it('has no key when the job lacks the metadata value', () => {
    expect(stickyKey({ metadata: 'session' }, job)).toBeUndefined();
  });
});
