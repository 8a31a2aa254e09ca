import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createBatchSubmissions } from './batch-submissions.js';
import { fleetPrefix } from '../queue-names.js';

export type BatchStatus = 'enqueueing' | 'open' | 'finished';

export interface BatchRecord {
  id: string;
  tenant: string;
  status: BatchStatus;
  createdAt: number;
  /**
   * Whether a submission enqueueing the batch is alive (it renews a mark that
   * lapses SUBMISSION_MARK_MS after its last renewal); read by `get` only.
   */
  submitting?: boolean;
  finishedAt?: number;
  /** Jobs enqueued for the batch. */
  total: number;
  /** Documents refused at submission. */
  refused: number;
  completed: number;
  failed: number;
  costUsd: number;
  /** Finished jobs by the tier that answered (completed) or held them last (failed). */
  byTier: Record<string, number>;
  webhook?: { url: string; secret?: string };
}

export interface FinishReport {
  /** False when this job had been counted already. */
  counted: boolean;
  /** The batch record after counting; `status` is `finished` when this job was its last. */
  batch: BatchRecord | undefined;
  /** True only for the call that finished the batch. */
  batchFinished: boolean;
}

export interface BatchStore {
  /**
   * Creates the batch unless it exists (false then), marking the submission
   * `submission` (a token of its own; a random one when unset) alive either way.
   */
  create(batch: { id: string; tenant: string; webhook?: BatchRecord['webhook']; submission?: string }): Promise<boolean>;
  /** The submission `token` enqueueing the batch is alive (renewed every `submissionRenewMs` while it runs): see `submitting`. */
  markSubmitting(batchId: string, token: string): Promise<void>;
  /** The submission is over (the batch opened, or it stopped): its mark goes at once; other submissions of the batch keep theirs. */
  endSubmitting(batchId: string, token: string): Promise<void>;
  /** How often a running submission renews its mark: a twelfth of its life (10 s of two minutes). */
  readonly submissionRenewMs: number;
  /** Sets the batch's job ids, in input order (a submission carried on again sets them anew). */
  setJobs(batchId: string, jobIds: readonly string[]): Promise<void>;
  /** Marks the batch open with its counts; finishes it at once when its jobs are all done already. */
  open(batchId: string, counts: { total: number; refused: number }): Promise<{ batch: BatchRecord | undefined; batchFinished: boolean }>;
  get(batchId: string): Promise<BatchRecord | undefined>;
  /**
   * Tells of each batch whose submissions stopped part-way (still enqueueing,
   * no mark alive), with when the last one lapsed or ended: each stop is
   * taken by one caller at a time, for a lease (a caller that dies before
   * telling leaves it to the next look after the lease, with the same
   * `lapsedAt`). One that `tell` fails on is put back, to be told at the next
   * look (and the first such failure thrown). A batch carried on is watched
   * again, and told again if it stops again.
   */
  takeInterrupted(tell: (batch: BatchRecord, lapsedAt: number) => Promise<void>): Promise<void>;
  /** Forgets a batch that enqueued nothing (refused, or its body failed), so its id can be used again. */
  discard(batchId: string): Promise<void>;
  /** Job ids in input order, or in the order they finished. */
  jobIds(batchId: string, order: 'input' | 'finished', offset: number, count: number): Promise<string[]>;
  /** Counts one finished job, once. */
  markFinished(
    batchId: string,
    job: { id: string; state: 'completed' | 'failed'; tier: string; costUsd: number; finishedAt: number },
  ): Promise<FinishReport>;
}

/** How long a submission's mark outlives its last renewal: past it, a batch still enqueueing shows as interrupted. */
export const SUBMISSION_MARK_MS = 2 * 60_000;

/** Batches one look for interrupted ones reads at most (the longest due first). */
const INTERRUPTED_LOOK = 500;

/** Kept this long after creation at most; a finished batch, as long as its jobs' results. */
const BATCH_TTL_SECONDS = 30 * 86_400;

/**
 * Batches in Redis: a hash of counters, the job ids in input order (a list)
 * and in finishing order (a sorted set), all under the fleet's hash tag.
 */
export function createBatchStore(deps: {
  redis: Redis;
  fleetName: string;
  keepSeconds: number;
  now?: () => number;
  /** How long a submission's mark outlives its last renewal; SUBMISSION_MARK_MS unless a test shortens it. */
  submissionMarkMs?: number;
  /** How long one that took an interrupted batch has to tell of it before another may; a minute unless a test shortens it. */
  interruptionLeaseMs?: number;
}): BatchStore {
  const now = deps.now ?? Date.now;
  const base = (id: string): string => `${fleetPrefix(deps.fleetName)}:batch:${id}`;
  const keys = (id: string) => ({ hash: base(id), jobs: `${base(id)}:jobs`, done: `${base(id)}:done` });

  const parse = (id: string, h: Record<string, string>): BatchRecord | undefined => {
    if (h.tenant === undefined) return undefined;
    const n = (field: string): number => Number(h[field] ?? 0);
    return {
      id,
      tenant: h.tenant,
      status: (h.status ?? 'enqueueing') as BatchStatus,
      createdAt: n('createdAt'),
      ...(h.finishedAt === undefined ? {} : { finishedAt: n('finishedAt') }),
      total: n('total'),
      refused: n('refused'),
      completed: n('completed'),
      failed: n('failed'),
      costUsd: Math.round(n('costUsd') * 1e8) / 1e8,
      byTier: Object.fromEntries(Object.entries(h).filter(([f]) => f.startsWith('tier:')).map(([f, v]) => [f.slice(5), Number(v)])),
      ...(h.webhook === undefined ? {} : { webhook: JSON.parse(h.webhook) as BatchRecord['webhook'] }),
    };
  };

  const markMs = deps.submissionMarkMs ?? SUBMISSION_MARK_MS;
  const submissions = createBatchSubmissions({
    redis: deps.redis,
    fleetName: deps.fleetName,
    batchKey: base,
    markMs,
    ...(deps.interruptionLeaseMs === undefined ? {} : { leaseMs: deps.interruptionLeaseMs }),
  });
  const store: BatchStore = {
    submissionRenewMs: Math.max(1, Math.floor(markMs / 12)),
    async create({ id, tenant, webhook, submission }) {
      const k = keys(id);
      // Marked first: from the moment the batch can be read, its submission shows as alive; and it is watched
      // (again, when carried on) until it opens (an open one is dropped when it comes due).
      await store.markSubmitting(id, submission ?? randomUUID());
      const created = await deps.redis.hsetnx(k.hash, 'tenant', tenant);
      if (created === 0) return false;
      await deps.redis
        .multi()
        .hset(k.hash, { status: 'enqueueing', createdAt: now(), ...(webhook === undefined ? {} : { webhook: JSON.stringify(webhook) }) })
        .expire(k.hash, BATCH_TTL_SECONDS)
        .exec();
      return true;
    },
    markSubmitting: (batchId, token) => submissions.mark(batchId, token),
    endSubmitting: (batchId, token) => submissions.end(batchId, token),
    async setJobs(batchId, jobIds) {
      const k = keys(batchId);
      const write = deps.redis.multi().del(k.jobs);
      if (jobIds.length > 0) write.rpush(k.jobs, ...jobIds).expire(k.jobs, BATCH_TTL_SECONDS);
      await write.exec();
    },
    async open(batchId, counts) {
      await submissions.unwatch(deps.redis.multi().hset(keys(batchId).hash, { status: 'open', total: counts.total, refused: counts.refused }), batchId).exec();
      // Jobs may have finished while the batch was being enqueued.
      const batch = await store.get(batchId);
      return tryFinish(batchId, batch);
    },
    async discard(batchId) {
      const k = keys(batchId);
      await submissions.unwatch(deps.redis.multi().del(k.hash, k.jobs, k.done), batchId).exec();
    },
    async takeInterrupted(tell) {
      let failure: Error | undefined;
      for (const id of await submissions.due(INTERRUPTED_LOOK)) {
        const taken = await submissions.take(id);
        if (taken === null) continue;
        try {
          const batch = await store.get(id);
          if (batch !== undefined) await tell(batch, taken.lapsedAt);
          await submissions.told(id, taken);
        } catch (error) {
          await submissions.putBack(id, taken);
          failure ??= error instanceof Error ? error : new Error(String(error));
        }
      }
      if (failure !== undefined) throw failure;
    },
    async get(batchId) {
      const k = keys(batchId);
      const [hash, submitting] = await Promise.all([deps.redis.hgetall(k.hash), submissions.alive(batchId)]);
      const batch = parse(batchId, hash);
      return batch === undefined ? undefined : { ...batch, submitting };
    },
    async jobIds(batchId, order, offset, count) {
      const k = keys(batchId);
      if (count <= 0) return [];
      if (order === 'input') return deps.redis.lrange(k.jobs, offset, offset + count - 1);
      return deps.redis.zrange(k.done, String(offset), String(offset + count - 1));
    },
    async markFinished(batchId, job) {
      const k = keys(batchId);
      const added = await deps.redis.zadd(k.done, 'NX', job.finishedAt, job.id);
      if (added === 0) return { counted: false, batch: await store.get(batchId), batchFinished: false };
      const replies = await deps.redis
        .multi()
        .expire(k.done, BATCH_TTL_SECONDS)
        .hincrby(k.hash, job.state, 1)
        .hincrbyfloat(k.hash, 'costUsd', String(job.costUsd))
        .hincrby(k.hash, `tier:${job.tier}`, 1)
        .hgetall(k.hash)
        .exec();
      const hash = (replies?.[4]?.[1] ?? {}) as Record<string, string>;
      return { counted: true, ...(await tryFinish(batchId, parse(batchId, hash))) };
    },
  };

  /** Exactly one caller moves a batch whose jobs are all done from open to finished. */
  async function tryFinish(batchId: string, batch: BatchRecord | undefined): Promise<{ batch: BatchRecord | undefined; batchFinished: boolean }> {
    if (batch === undefined || batch.status !== 'open' || batch.completed + batch.failed < batch.total) {
      return { batch, batchFinished: false };
    }
    const at = now();
    const k = keys(batchId);
    if ((await deps.redis.hsetnx(k.hash, 'finishedAt', at)) === 0) return { batch, batchFinished: false };
    await deps.redis.hset(k.hash, 'status', 'finished');
    await expireAll(batchId);
    return { batch: { ...batch, status: 'finished', finishedAt: at }, batchFinished: true };
  }

  async function expireAll(batchId: string): Promise<void> {
    const k = keys(batchId);
    await deps.redis.multi().expire(k.hash, deps.keepSeconds).expire(k.jobs, deps.keepSeconds).expire(k.done, deps.keepSeconds).exec();
  }

  return store;
}
