import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FleetConfig } from '../config/fleet-schema.js';
import { applyExperiment, experimentReason, type ExperimentAssignment } from '../core/experiments/apply-experiment.js';
import type { JobSpec } from '../core/job/job-spec.js';
import { parseJobSpec } from '../core/job/parse-job-spec.js';
import { renderRequest, type RenderedRequest } from '../core/job/render-request.js';
import { familyRequests } from '../core/job/render-variants.js';
import type { RouteDecision } from '../core/job/route-decision.js';
import { withBudgets } from '../core/budgets/budget-router.js';
import { buildRouter, type FleetRouter } from '../core/routing/build-router.js';
import { EMPTY_SNAPSHOT, type FleetSnapshot } from '../core/routing/fleet-snapshot.js';
import { toRoutableJob } from '../core/routing/routable-job.js';
import { scopedId } from '../core/job/tenant-scoped-id.js';
import type { Router } from '../core/routing/router.js';
import { addJobContext, conversationRefs } from './add-job-context.js';
import { clearLingeringJobs } from './clear-lingering-jobs.js';
import { createConversationStore } from './conversations/conversation-store.js';
import { createExperimentStore } from './experiments/experiment-store.js';
import { isFlowStrategy } from '../core/flows/flow-definitions.js';
import { routeFlow } from '../core/flows/route-flow.js';
import { flowParentData } from './flows/flow-parent-data.js';
import type { FleetQueues } from './fleet-queues.js';
import { jobFingerprint } from './job-fingerprint.js';
import { ownJobTrace } from './job-trace.js';
import { settleReservedJobs } from './reserved-job.js';
import { jobIndexKey } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

export interface EnqueueReceipt {
  /** The fleet-wide id (tenant-scoped-id.ts); `clientId()` gives the id the client gave. */
  id: string;
  tier: string;
  route: RouteDecision;
  /** False when a job with this id already existed; nothing new was enqueued. */
  created: boolean;
  /** The job that existed under this id was made from another request (job-fingerprint.ts): a reused id, not a retry. */
  differs?: true;
  /** The batch of the job that already existed, when it belongs to one. */
  batchId?: string;
}

/** A job validated and routed, ready to enqueue. */
export interface PreparedJob {
  /** The fleet-wide id: the client's id (its spec's) within its tenant (tenant-scoped-id.ts). */
  id: string;
  spec: JobSpec;
  route: RouteDecision;
  /** The A/B experiment variant the job was given (its fields are already in `spec`). */
  experiment?: ExperimentAssignment;
  /** The rendered conversation, when routing already needed it (so it is not rendered twice). */
  request?: RenderedRequest;
  /** Digest of the request as the client made it, before any experiment (job-fingerprint.ts). */
  fingerprint?: string;
}

export interface Producer {
  /**
   * Validates, routes and enqueues one job. Throws JobSpecError naming the bad fields (BudgetExceededError,
   * a JobSpecError, when its tenant's or the fleet's budget is spent and `budgets.whenSpent` is `refuse`); nothing is enqueued then.
   */
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
  /** What the routers know of the fleet now (breakers, stats, queue depths, budgets left); nothing known when unset. See fleet-snapshot-source.ts. */
  snapshot?: () => FleetSnapshot;
  /** The user's routing function when the fleet names one (`routing.custom`), from loadCustomRouter. */
  customRouter?: Router;
  /** How long an enqueue waits for the job of an id another enqueue reserved and has not added yet (reserved-job.ts; 5 s when unset). */
  placementWaitMs?: number;
}

/** Whether an A/B variant, not the job, set the job's tier or model. */
const placedByVariant = (experiment: ExperimentAssignment | undefined): boolean =>
  experiment?.applied.some((field) => field === 'tier' || field === 'model') === true;

/** Whether the job named its own tier or model (it wins over routers and a spent budget). */
const placedByJob = ({ spec, experiment }: PreparedJob): boolean => (spec.tier !== undefined || spec.model !== undefined) && !placedByVariant(experiment);

/** How long an id stays reserved for a job that is still queued: a generous upper bound. */
const RESERVATION_SECONDS = 30 * 86_400;
const CHUNK = 500;

/**
 * The one way jobs enter the fleet (HTTP, CLI and library users share it).
 * An id is unique within its tenant (tenant-scoped-id.ts): an index key maps
 * it to the tier holding the job, so enqueueing the same id twice yields one job.
 */
export function createProducer(deps: ProducerDeps): Producer {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const key = (id: string): string => jobIndexKey(deps.fleet.name, id);
  // Built once: explicit tier/model, cascade entry, the configured routers, then the routing table (docs/routers.md).
  const fleetRouter = buildRouter(deps.fleet, { custom: deps.customRouter });
  const routeOrFlow: FleetRouter = (spec, inputs) =>
    isFlowStrategy(spec.strategy) ? routeFlow({ strategy: spec.strategy, flow: spec.flow }, deps.fleet) : fleetRouter(spec, inputs);
  // Around them all: a spent budget sends the job to the cheapest model, or refuses it (docs/budgets.md).
  const routeOf = withBudgets(routeOrFlow, { fleet: deps.fleet, settings: deps.fleet.budgets, now });
  const snapshot = deps.snapshot ?? ((): FleetSnapshot => EMPTY_SNAPSHOT);
  const conversations = createConversationStore({ redis: deps.redis, fleetName: deps.fleet.name, limits: deps.fleet.conversations });
  const experiments = createExperimentStore({ redis: deps.redis, fleetName: deps.fleet.name });
  const reservedDeps = { redis: deps.redis, queues: deps.queues, fleetName: deps.fleet.name, reservationSeconds: RESERVATION_SECONDS, placementWaitMs: deps.placementWaitMs };

  const toData = (job: PreparedJob, enqueuedAt: number): TierJobData => {
    const { id, spec, route, request } = job;
    return {
      id,
      tenant: spec.tenant,
      task: spec.task,
      strategy: spec.strategy,
      tags: spec.tags,
      metadata: spec.metadata,
      request: request ?? renderRequest(spec, deps.fleet),
      ...familyRequests(spec, deps.fleet),
      route,
      path: route.path,
      ...(route.model === undefined ? {} : { model: route.model }),
      ...(spec.priority === undefined ? {} : { priority: spec.priority }),
      ...(spec.stream === true ? { stream: true } : {}),
      ...(spec.webhook === undefined ? {} : { webhook: spec.webhook }),
      ...(spec.batchId === undefined ? {} : { batchId: scopedId(spec.tenant, spec.batchId) }),
      ...(placedByJob(job) ? { placedByJob: true as const } : {}),
      enqueuedAt,
      ...(job.fingerprint === undefined ? {} : { fingerprint: job.fingerprint }),
      attempts: [],
    };
  };

  /** `traceUnder`: where each job's trace starts (job-trace.ts): its own for a batch's, the caller's for a job alone. */
  async function addChunk(chunk: readonly PreparedJob[], traceUnder: 'root' | 'active'): Promise<EnqueueReceipt[]> {
    // Read at enqueue: a turn submitted before the previous one finished does not see it.
    const histories = await conversations.histories(conversationRefs(chunk));
    const reserve = deps.redis.pipeline();
    for (const job of chunk) reserve.set(key(job.id), job.route.tier, 'EX', RESERVATION_SECONDS, 'NX');
    const replies = (await reserve.exec()) ?? [];
    const fresh: PreparedJob[] = [];
    const reserved: PreparedJob[] = [];
    for (const [i, job] of chunk.entries()) {
      const [error, reply] = replies[i] ?? [new Error('no reply'), null];
      if (error !== null) throw error;
      (reply === 'OK' ? fresh : reserved).push(job);
    }
    const receipts = await addFresh(fresh, histories, traceUnder);
    // Only then waited on: ids another enqueue reserved (two replicas given the same batch each add theirs first, so
    // neither waits on the other's).
    const settled = await settleReservedJobs(reservedDeps, reserved);
    receipts.push(...settled.receipts, ...(await addFresh(settled.free, histories, traceUnder)));
    return receipts;
  }

  /** Adds jobs whose ids this enqueue holds; an id whose earlier job is still unfinished keeps that job. */
  async function addFresh(fresh: readonly PreparedJob[], histories: Awaited<ReturnType<typeof conversations.histories>>, traceUnder: 'root' | 'active'): Promise<EnqueueReceipt[]> {
    const receipts: EnqueueReceipt[] = [];
    if (fresh.length === 0) return receipts;
    const enqueuedAt = now();
    const entries = fresh.map((job) => ({
      job,
      tier: job.route.tier,
      data: addJobContext(
        // Ensembles and pipelines wait as parents on the flows queue (docs/flows.md).
        isFlowStrategy(job.spec.strategy) ? flowParentData(job, deps.fleet, (j) => toData(j, enqueuedAt)) : toData(job, enqueuedAt),
        job,
        histories,
      ),
    }));
    const inUse = await clearLingeringJobs({ redis: deps.redis, queues: deps.queues, fleet: deps.fleet }, entries);
    const byTier = new Map<string, typeof entries>();
    for (const entry of entries) {
      const route = inUse.get(entry.job.id);
      if (route !== undefined) {
        receipts.push({ id: entry.job.id, tier: entry.tier, route, created: false });
        continue;
      }
      const list = byTier.get(entry.tier);
      if (list === undefined) byTier.set(entry.tier, [entry]);
      else list.push(entry);
    }
    for (const [tier, tierEntries] of byTier) {
      const jobs = tierEntries.map((entry) => entry.job);
      try {
        const queue = deps.queues.queue(tier);
        const { telemetry } = deps.queues;
        await queue.addBulk(
          tierEntries.map(({ job, data }) => ({
            name: 'job',
            data,
            opts: {
              jobId: job.id,
              ...(job.spec.priority === undefined ? {} : { priority: job.spec.priority }),
              // Traced: each job its own trace, not the bulk call's.
              ...(telemetry === undefined ? {} : { telemetry: ownJobTrace(telemetry, queue.name, job.id, traceUnder) }),
            },
          })),
        );
      } catch (error) {
        await deps.redis.del(...jobs.map((job) => key(job.id)));
        throw error;
      }
      for (const job of jobs) receipts.push({ id: job.id, tier, route: job.route, created: true });
      // Measurements only: a failure here must not undo jobs already enqueued.
      await experiments.recordAssigned(jobs.flatMap((job) => (job.experiment === undefined || job.experiment.notCounted !== undefined ? [] : [job.experiment]))).catch(() => undefined);
    }
    return receipts;
  }

  const producer: Producer = {
    prepare(raw, defaultId = newId) {
      const parsed = parseJobSpec(raw, deps.fleet);
      const id = parsed.id ?? defaultId();
      // What the client asked for (a repeat of the id must ask the same), before an experiment adds to it.
      const fingerprint = parsed.id === undefined ? {} : { fingerprint: jobFingerprint(parsed) };
      // Before routing: a variant may set the strategy, tier or model; fields the job set itself win.
      const { spec, experiment } = applyExperiment({ raw, spec: parsed, id }, deps.fleet.experiments, deps.fleet);
      let request: RenderedRequest | undefined;
      const placedBy = placedByVariant(experiment) ? 'experiment' : 'job';
      const route = routeOf(spec, { job: () => toRoutableJob(spec, (request ??= renderRequest(spec, deps.fleet))), snapshot, placedBy });
      const rendered = request === undefined ? {} : { request };
      // Ids are the tenant's own: another tenant's job under the same id is another job.
      const fleetId = scopedId(spec.tenant, id);
      if (experiment === undefined) return { id: fleetId, spec, route, ...rendered, ...fingerprint };
      // A spent budget moved the job off the variant's model, or its tier: it would measure the cheapest model, not the variant.
      // (A model router picking a model within the variant's tier is not a move.)
      const moved = placedBy === 'experiment' && (spec.model !== undefined ? route.model !== spec.model : route.tier !== spec.tier);
      const assigned = moved ? { ...experiment, notCounted: "a spent budget moved the job off the variant's placement" } : experiment;
      return { id: fleetId, spec, route: { ...route, reason: experimentReason(route.reason, assigned) }, experiment: assigned, ...rendered, ...fingerprint };
    },
    async enqueuePrepared(jobs) {
      const receipts: EnqueueReceipt[] = [];
      for (let at = 0; at < jobs.length; at += CHUNK) receipts.push(...(await addChunk(jobs.slice(at, at + CHUNK), 'root')));
      return receipts;
    },
    async enqueue(raw) {
      const [receipt] = await addChunk([producer.prepare(raw)], 'active');
      if (receipt === undefined) throw new Error('the job was not enqueued');
      return receipt;
    },
  };
  return producer;
}
