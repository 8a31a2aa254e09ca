import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import type { ApiKeyTable } from './api-key-table.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant of the request's API key; set on authenticated routes. */
    tenant: string;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Every route of the instance needs `Authorization: Bearer <key>`; the key's tenant goes on the request. */
export function registerBearerAuth(app: FastifyInstance, apiKeys: ApiKeyTable): void {
  app.decorateRequest('tenant', '');
  app.addHook('onRequest', (request, _reply, done) => {
    const token = bearerToken(request);
    if (token === undefined) {
      done(new ApiError(401, 'unauthorized', 'missing API key: send "Authorization: Bearer <key>"', 'authorization'));
      return;
    }
    const tenant = apiKeys.tenantOf(token);
    if (tenant === undefined) {
      done(new ApiError(401, 'unauthorized', 'unknown API key', 'authorization'));
      return;
    }
    request.tenant = tenant;
    done();
  });
}
