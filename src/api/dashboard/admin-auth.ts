import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyTable } from '../auth/api-key-table.js';
import type { AdminSessions } from './admin-session.js';

export const ADMIN_COOKIE = 'fleet_admin';

export interface AdminAuthDeps {
  apiKeys: ApiKeyTable;
  adminTenants: ReadonlySet<string>;
  sessions: AdminSessions;
  loginPath: string;
  /** Route URLs anyone may reach (the login form, its stylesheet, logout). */
  publicUrls: ReadonlySet<string>;
}

/** The admin tenant of an API key, or undefined when the key is unknown or not an admin's. */
export function adminTenantOfKey(deps: Pick<AdminAuthDeps, 'apiKeys' | 'adminTenants'>, key: string): string | undefined {
  const tenant = deps.apiKeys.tenantOf(key);
  return tenant !== undefined && deps.adminTenants.has(tenant) ? tenant : undefined;
}

/** The admin behind a request: a live session cookie, or an admin's key as a bearer token. */
export function adminOfRequest(deps: AdminAuthDeps, request: FastifyRequest): string | undefined {
  const cookie = request.cookies[ADMIN_COOKIE];
  if (cookie !== undefined) {
    const session = deps.sessions.verify(cookie);
    // A tenant removed from the admins loses its sessions at once.
    if (session !== undefined && deps.adminTenants.has(session.tenant)) return session.tenant;
  }
  const header = request.headers.authorization;
  const bearer = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  return bearer === undefined ? undefined : adminTenantOfKey(deps, bearer);
}

/** A browser asking for a page (sent to the login form), rather than a script or API client (given 401). */
function wantsPage(request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
}

/**
 * An `onRequest` hook guarding every route of the scope it is added to:
 * pages redirect to the login form, anything else gets 401 JSON.
 */
export function requireAdmin(deps: AdminAuthDeps) {
  return async function adminOnly(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (deps.publicUrls.has(request.routeOptions.url ?? '')) return undefined;
    if (adminOfRequest(deps, request) !== undefined) return undefined;
    // Fastify's rule for async hooks: send, then return the reply so the request stops here.
    if (wantsPage(request)) return reply.redirect(deps.loginPath, 303);
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="fleet admin"')
      .send({ code: 'unauthorized', message: 'Log in at the admin login page, or send an admin API key as "Authorization: Bearer <key>".' });
  };
}
