import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.js';

/** `/healthz`: the process is up. `/readyz`: Redis answers and every tier has a live worker. */
export function registerHealthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/healthz', { schema: { summary: 'The process is up', tags: ['health'] } }, () => ({ ok: true }));

  app.get('/readyz', { schema: { summary: 'Redis reachable and every tier has a live worker', tags: ['health'] } }, async (request, reply) => {
    let redis = 'ok';
    try {
      await deps.redis.ping();
    } catch (error) {
      // The answer is public: the error (Redis's address, say) goes to the log only.
      request.log.warn({ err: error }, 'readyz: Redis does not answer');
      redis = 'unreachable';
    }
    const workers: Record<string, number> = {};
    if (redis === 'ok') {
      for (const tier of deps.fleet.tiers) workers[tier.name] = await deps.queues.queue(tier.name).getWorkersCount();
    }
    const missing = deps.fleet.tiers.map((t) => t.name).filter((t) => (workers[t] ?? 0) === 0);
    const ready = redis === 'ok' && missing.length === 0;
    return reply.status(ready ? 200 : 503).send({
      ready,
      redis,
      workers,
      ...(missing.length > 0 ? { message: `no live worker for tier ${missing.join(', ')}` } : {}),
    });
  });
}
