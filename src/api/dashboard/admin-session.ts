import { signerFactory } from '@fastify/cookie';

/** A signed session cookie's value: the admin tenant and when the session ends. */
export interface AdminSession {
  tenant: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface AdminSessions {
  /** The signed cookie value of a new session for `tenant`. */
  issue(tenant: string): { value: string; session: AdminSession };
  /** The session in a cookie value, if its signature holds and it has not expired. */
  verify(value: string): AdminSession | undefined;
}

/** Tenant names hold no `|` (letters, digits, `_`, `.`, `-`), so it separates tenant and expiry. */
const SEPARATOR = '|';

/**
 * Signed, stateless admin sessions: `<tenant>|<expiresAt>` plus an HMAC
 * signature made with the session secret. Changing the secret ends every
 * session.
 */
export function createAdminSessions(options: { secret: string; ttlMs: number; now?: () => number }): AdminSessions {
  if (options.secret.length < 32) throw new Error('the dashboard session secret must be at least 32 characters');
  const signer = signerFactory(options.secret);
  const now = options.now ?? Date.now;
  return {
    issue(tenant) {
      const session = { tenant, expiresAt: now() + options.ttlMs };
      return { value: signer.sign(`${tenant}${SEPARATOR}${session.expiresAt}`), session };
    },
    verify(value) {
      const unsigned = signer.unsign(value);
      if (!unsigned.valid || unsigned.value === null) return undefined;
      const at = unsigned.value.lastIndexOf(SEPARATOR);
      const tenant = unsigned.value.slice(0, at);
      const expiresAt = Number(unsigned.value.slice(at + 1));
      if (at <= 0 || !Number.isSafeInteger(expiresAt) || expiresAt <= now()) return undefined;
      return { tenant, expiresAt };
    },
  };
}
