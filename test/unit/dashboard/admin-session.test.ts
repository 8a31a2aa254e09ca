import { describe, expect, it } from 'vitest';
import { createAdminSessions } from '../../../src/api/dashboard/admin-session.js';
import { fillTemplate } from '../../../src/api/dashboard/fill-template.js';

const SECRET = 'a-session-secret-of-32-characters!';

describe('admin sessions', () => {
  it('verify a session they issued until it expires', () => {
    let now = 1_000;
    const sessions = createAdminSessions({ secret: SECRET, ttlMs: 60_000, now: () => now });
    const { value, session } = sessions.issue('ops.team-1');
    expect(session).toEqual({ tenant: 'ops.team-1', expiresAt: 61_000 });
    expect(sessions.verify(value)).toEqual(session);
    now = 61_000;
    expect(sessions.verify(value)).toBeUndefined();
  });

  it('refuse a changed value, another secret, and a value never signed', () => {
    const sessions = createAdminSessions({ secret: SECRET, ttlMs: 60_000 });
    const { value } = sessions.issue('ops');
    expect(sessions.verify(value.replace(/^ops/, 'acme'))).toBeUndefined();
    expect(createAdminSessions({ secret: `${SECRET}x`, ttlMs: 60_000 }).verify(value)).toBeUndefined();
    expect(sessions.verify(`ops|${Date.now() + 60_000}`)).toBeUndefined();
  });

  it('need a secret of at least 32 characters', () => {
    expect(() => createAdminSessions({ secret: 'short', ttlMs: 1 })).toThrow(/32 characters/);
  });
});

describe('fillTemplate', () => {
  it('escape values and insist on every placeholder', () => {
    expect(fillTemplate('<p>{{a}} {{a}}</p>', { a: '<b>"x" & y</b>' })).toBe('<p>&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt; &lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;</p>');
    expect(() => fillTemplate('{{missing}}', {})).toThrow(/missing/);
  });
});
