import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FleetConfig } from '../config/fleet-schema.js';
import { parseJobSpec } from '../core/job/parse-job-spec.js';
import { renderRequest } from '../core/job/render-request.js';
import { routeJob } from '../core/routing/route-job.js';
import type { RouteDecision } from '../core/job/route-decision.js';
import type { FleetQueues } from './fleet-queues.js';
import { jobIndexKey } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

export interface EnqueueReceipt {
  id: string;
  tier: string;
  route: RouteDecision;
  /** False when a job with this id already existed; nothing new was enqueued. */
  created: boolean;
}

export interface Producer {
  /** Validates, routes and enqueues one job. Throws JobSpecError naming the bad fields; nothing is enqueued then. */
  enqueue(raw: unknown): Promise<EnqueueReceipt>;
}

export interface ProducerDeps {
  fleet: FleetConfig;
  queues: FleetQueues;
  redis: Redis;
  now?: () => number;
  newId?: () => string;
}

/** How long an id stays reserved for a job that is still queued: a generous upper bound. */
const RESERVATION_SECONDS = 30 * 86_400;

/**
 * The one way jobs enter the fleet (HTTP, CLI and library users share it).
 * An id is unique fleet-wide: an index key maps it to the tier holding the
 * job, so enqueueing the same id twice yields one job.
 */
export function createProducer(deps: ProducerDeps): Producer {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;

  async function existing(id: string, tier: string): Promise<EnqueueReceipt | undefined> {
    const job = await deps.queues.queue(tier).getJob(id);
    if (job === undefined) return undefined;
    return { id, tier, route: job.data.route, created: false };
  }

  return {
    async enqueue(raw) {
      const spec = parseJobSpec(raw, deps.fleet);
      const route = routeJob(spec, deps.fleet);
      const id = spec.id ?? newId();
      const key = jobIndexKey(deps.fleet.name, id);

      const reserved = await deps.redis.set(key, route.tier, 'EX', RESERVATION_SECONDS, 'NX');
      if (reserved === null) {
        const tier = await deps.redis.get(key);
        const found = tier === null ? undefined : await existing(id, tier);
        if (found !== undefined) return found;
        // The earlier job with this id has expired from its queue: the id is free again.
        await deps.redis.set(key, route.tier, 'EX', RESERVATION_SECONDS);
      }

      const data: TierJobData = {
        id,
        tenant: spec.tenant,
        task: spec.task,
        strategy: spec.strategy,
        tags: spec.tags,
        metadata: spec.metadata,
        request: renderRequest(spec, deps.fleet),
        route,
        path: route.path,
        ...(route.model === undefined ? {} : { model: route.model }),
        ...(spec.priority === undefined ? {} : { priority: spec.priority }),
        ...(spec.stream === true ? { stream: true } : {}),
        ...(spec.webhook === undefined ? {} : { webhook: spec.webhook }),
        ...(spec.batchId === undefined ? {} : { batchId: spec.batchId }),
        enqueuedAt: now(),
        attempts: [],
      };
      try {
        await deps.queues.queue(route.tier).add('job', data, {
          jobId: id,
          ...(spec.priority === undefined ? {} : { priority: spec.priority }),
        });
      } catch (error) {
        await deps.redis.del(key);
        throw error;
      }
      return { id, tier: route.tier, route, created: true };
    },
  };
}
