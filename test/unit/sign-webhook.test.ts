import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src/core/webhooks/sign-webhook.js';

const secret = 'whsec_0123456789abcdef';
const body = JSON.stringify({ id: 'job-1', state: 'completed', answer: { text: '42' } });
const timestamp = 1_767_225_600;

describe('signWebhook', () => {
  it('writes t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    expect(signWebhook({ secret, timestamp, body })).toBe(`t=${timestamp},v1=${expected}`);
  });

  it('signs a Buffer body as the same bytes as its string', () => {
    expect(signWebhook({ secret, timestamp, body: Buffer.from(body) })).toBe(signWebhook({ secret, timestamp, body }));
  });

  it('refuses a fractional or negative timestamp', () => {
    expect(() => signWebhook({ secret, timestamp: 1.5, body })).toThrow(RangeError);
    expect(() => signWebhook({ secret, timestamp: -1, body })).toThrow(RangeError);
  });
});

describe('verifyWebhook', () => {
  const header = signWebhook({ secret, timestamp, body });

  it('accepts a good signature within the tolerance', () => {
    expect(verifyWebhook({ secret, header, body, now: timestamp })).toBe(true);
    expect(verifyWebhook({ secret, header, body, now: timestamp + 299 })).toBe(true);
    expect(verifyWebhook({ secret, header, body: Buffer.from(body), now: timestamp + 10 })).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyWebhook({ secret: 'another-secret-0123456789', header, body, now: timestamp })).toBe(false);
  });

  it('rejects a tampered body', () => {
    const tampered = body.replace('42', '43');
    expect(verifyWebhook({ secret, header, body: tampered, now: timestamp })).toBe(false);
  });

  it('rejects a tampered timestamp', () => {
    const moved = header.replace(`t=${timestamp}`, `t=${timestamp + 1}`);
    expect(verifyWebhook({ secret, header: moved, body, now: timestamp })).toBe(false);
  });

  it('rejects a stale or future timestamp', () => {
    expect(verifyWebhook({ secret, header, body, now: timestamp + 301 })).toBe(false);
    expect(verifyWebhook({ secret, header, body, now: timestamp - 301 })).toBe(false);
    expect(verifyWebhook({ secret, header, body, now: timestamp + 3_600, toleranceSeconds: 7_200 })).toBe(true);
  });

  it('uses the system clock by default', () => {
    const fresh = signWebhook({ secret, timestamp: Math.floor(Date.now() / 1000), body });
    expect(verifyWebhook({ secret, header: fresh, body })).toBe(true);
    expect(verifyWebhook({ secret, header, body })).toBe(false);
  });

  it('accepts any of several v1 signatures (a rotated secret)', () => {
    const old = signWebhook({ secret: 'old-secret-0123456789', timestamp, body });
    const both = `${header},${old.split(',')[1]}`;
    expect(verifyWebhook({ secret, header: both, body, now: timestamp })).toBe(true);
    expect(verifyWebhook({ secret: 'old-secret-0123456789', header: both, body, now: timestamp })).toBe(true);
  });

  it('rejects missing, malformed and truncated headers', () => {
    for (const bad of [undefined, '', 'garbage', `t=${timestamp}`, 'v1=abc', `t=${timestamp},v1=${'0'.repeat(63)}`, `t=x,${header.split(',')[1]}`]) {
      expect(verifyWebhook({ secret, header: bad, body, now: timestamp })).toBe(false);
    }
  });
});
