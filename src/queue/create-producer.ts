import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FleetConfig } from '../config/fleet-schema.js';
import type { JobSpec } from '../core/job/job-spec.js';
import { parseJobSpec } from '../core/job/parse-job-spec.js';
import { renderRequest } from '../core/job/render-request.js';
import type { RouteDecision } from '../core/job/route-decision.js';
import { routeJob } from '../core/routing/route-job.js';
import { cancelMarkerKey, type CancelMarker } from './cancel-job.js';
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

/** A job validated and routed, ready to enqueue. */
export interface PreparedJob {
  id: string;
  spec: JobSpec;
  route: RouteDecision;
}

export interface Producer {
  /** Validates, routes and enqueues one job. Throws JobSpecError naming the bad fields; nothing is enqueued then. */
  enqueue(raw: unknown): Promise<EnqueueReceipt>;
  /** Validates and routes without enqueueing. Throws JobSpecError. */
  prepare(raw: unknown, defaultId?: () => string): PreparedJob;
  /** Enqueues prepared jobs in bulk (one round trip per chunk and tier); ids that exist already are left alone. */
  enqueuePrepared(jobs: readonly PreparedJob[]): Promise<EnqueueReceipt[]>;
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
const CHUNK = 500;

/**
 * The one way jobs enter the fleet (HTTP, CLI and library users share it).
 * An id is unique fleet-wide: an index key maps it to the tier holding the
 * job, so enqueueing the same id twice yields one job.
 */
export function createProducer(deps: ProducerDeps): Producer {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const key = (id: string): string => jobIndexKey(deps.fleet.name, id);

  const toData = ({ id, spec, route }: PreparedJob, enqueuedAt: number): TierJobData => ({
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
    enqueuedAt,
    attempts: [],
  });

  /**
   * The receipt of an id that was reserved already (its job, or its
   * cancellation, is still kept), or undefined when it has expired and the id
   * is free again.
   */
  async function existing(job: PreparedJob): Promise<EnqueueReceipt | undefined> {
    const tier = await deps.redis.get(key(job.id));
    if (tier === null) return undefined;
    const found = await deps.queues.queue(tier).getJob(job.id);
    if (found !== undefined) return { id: job.id, tier, route: found.data.route, created: false };
    const cancelled = await deps.redis.get(cancelMarkerKey(deps.fleet.name, job.id));
    if (cancelled === null) return undefined;
    return { id: job.id, tier, route: (JSON.parse(cancelled) as CancelMarker).data.route, created: false };
  }

  async function addChunk(chunk: readonly PreparedJob[]): Promise<EnqueueReceipt[]> {
    const reserve = deps.redis.pipeline();
    for (const job of chunk) reserve.set(key(job.id), job.route.tier, 'EX', RESERVATION_SECONDS, 'NX');
    const replies = (await reserve.exec()) ?? [];
    const receipts: EnqueueReceipt[] = [];
    const fresh: PreparedJob[] = [];
    for (const [i, job] of chunk.entries()) {
      const [error, reply] = replies[i] ?? [new Error('no reply'), null];
      if (error !== null) throw error;
      if (reply === 'OK') {
        fresh.push(job);
        continue;
      }
      const found = await existing(job);
      if (found !== undefined) receipts.push(found);
      else {
        await deps.redis.set(key(job.id), job.route.tier, 'EX', RESERVATION_SECONDS);
        fresh.push(job);
      }
    }
    const enqueuedAt = now();
    const byTier = new Map<string, PreparedJob[]>();
    for (const job of fresh) {
      const list = byTier.get(job.route.tier);
      if (list === undefined) byTier.set(job.route.tier, [job]);
      else list.push(job);
    }
    for (const [tier, jobs] of byTier) {
      try {
        await deps.queues.queue(tier).addBulk(
          jobs.map((job) => ({
            name: 'job',
            data: toData(job, enqueuedAt),
            opts: { jobId: job.id, ...(job.spec.priority === undefined ? {} : { priority: job.spec.priority }) },
          })),
        );
      } catch (error) {
        await deps.redis.del(...jobs.map((job) => key(job.id)));
        throw error;
      }
      for (const job of jobs) receipts.push({ id: job.id, tier, route: job.route, created: true });
    }
    return receipts;
  }

  const producer: Producer = {
    prepare(raw, defaultId = newId) {
      const spec = parseJobSpec(raw, deps.fleet);
      return { id: spec.id ?? defaultId(), spec, route: routeJob(spec, deps.fleet) };
    },
    async enqueuePrepared(jobs) {
      const receipts: EnqueueReceipt[] = [];
      for (let at = 0; at < jobs.length; at += CHUNK) receipts.push(...(await addChunk(jobs.slice(at, at + CHUNK))));
      return receipts;
    },
    async enqueue(raw) {
      const [receipt] = await producer.enqueuePrepared([producer.prepare(raw)]);
      if (receipt === undefined) throw new Error('the job was not enqueued');
      return receipt;
    },
  };
  return producer;
}
