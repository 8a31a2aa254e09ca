import type { FastifyInstance } from 'fastify';
import type { FleetConfig } from '../../config/fleet-schema.js';
import type { FleetQueues } from '../../queue/fleet-queues.js';
import { readScaling } from '../../queue/read-scaling.js';

/** `GET /v1/scaling`: per tier, the backlog and a suggested replica count, flat enough for KEDA's metrics-api scaler. */
export function registerScalingRoute(app: FastifyInstance, deps: { fleet: FleetConfig; queues: FleetQueues }): void {
  app.get(
    '/v1/scaling',
    {
      schema: {
        summary: 'Backlog and suggested replicas per tier (KEDA metrics-api: valueLocation tiers.<tier>.backlog or .suggestedReplicas)',
        tags: ['scaling'],
      },
    },
    async () => readScaling({ fleet: deps.fleet, queues: deps.queues }),
  );
}
