import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyPluginCallback } from 'fastify';
import { fleetPrefix } from '../queue/queue-names.js';
import type { ApiDeps } from './api-deps.js';
import { registerErrorHandler } from './api-error.js';
import { bearerToken, registerBearerAuth } from './auth/register-bearer-auth.js';
import { registerBatchRoutes } from './routes/batches-routes.js';
import { registerBudgetRoutes } from './routes/budgets-routes.js';
import { registerConversationRoutes } from './routes/conversations-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerJobRoutes } from './routes/jobs-routes.js';
import { registerWebhookSecretRoute } from './routes/webhook-secret-route.js';

export interface AppExtras {
  /** More routes on the authenticated /v1 scope (scaling, cancel, …). */
  v1?: (scope: FastifyInstance) => void;
  /** Plugins outside /v1 (the dashboards), registered after the core routes. */
  outside?: (app: FastifyInstance) => Promise<void>;
  /** Traces each request (startTracing's `httpPlugin`), registered before any route. */
  tracing?: FastifyPluginCallback;
}

/** The fleet's HTTP API: jobs, batches, health, the OpenAPI document at /docs. */
export async function createApp(deps: ApiDeps, extras: AppExtras = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger === false ? false : { level: deps.logger.level },
    bodyLimit: deps.limits.bodyLimitBytes,
    trustProxy: true,
  });
  registerErrorHandler(app);
  // JSON (and NDJSON for batches) only: anything else is 415, not a string handed to a route.
  app.removeContentTypeParser('text/plain');
  // Before any route, after the 404 handler (which it would otherwise wrap in a span of its own).
  if (extras.tracing !== undefined) await app.register(extras.tracing);
  await app.register(swagger, {
    openapi: {
      info: { title: 'converse fleet API', version: '1', description: 'Enqueue LLM jobs and batches across Bedrock model tiers; poll their results.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  registerHealthRoutes(app, deps);

  await app.register(async (v1) => {
    registerBearerAuth(v1, deps.apiKeys);
    await v1.register(rateLimit, {
      max: deps.limits.rateLimitPerMinute,
      timeWindow: 60_000,
      redis: deps.redis,
      nameSpace: `${fleetPrefix(deps.fleet.name)}:rate-limit:`,
      // Per API key; the key itself never reaches Redis.
      keyGenerator: (request) => createHash('sha256').update(bearerToken(request) ?? '').digest('hex').slice(0, 16),
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'rate_limited',
        message: `over ${context.max} requests per minute for this API key; retry in ${Math.ceil(context.ttl / 1000)} s`,
      }),
    });
    registerJobRoutes(v1, deps);
    registerBatchRoutes(v1, deps);
    registerConversationRoutes(v1, deps);
    registerBudgetRoutes(v1, deps);
    registerWebhookSecretRoute(v1, deps);
    extras.v1?.(v1);
  });
  await extras.outside?.(app);
  return app;
}
