import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetConfig } from '../config/fleet-schema.js';
import type { JobResult } from '../core/job/job-result.js';
import type { BatchRecord, BatchStore } from '../queue/batches/batch-store.js';
import type { Producer } from '../queue/create-producer.js';
import type { CancelOutcome } from '../queue/cancel-job.js';
import type { FleetQueues } from '../queue/fleet-queues.js';
import type { ApiKeyTable } from './auth/api-key-table.js';

export interface ApiLimits {
  /** Largest JSON body for single requests. */
  bodyLimitBytes: number;
  /** Largest batch body sent as NDJSON (read as a stream). */
  batchBodyLimitBytes: number;
  /** Largest batch body sent as one JSON document (parsed whole, so kept smaller). */
  batchJsonBodyLimitBytes: number;
  /** Most documents in one batch submission. */
  batchMaxDocuments: number;
  /** Requests per minute per API key. */
  rateLimitPerMinute: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  bodyLimitBytes: 1024 * 1024,
  batchBodyLimitBytes: 512 * 1024 * 1024,
  batchJsonBodyLimitBytes: 32 * 1024 * 1024,
  batchMaxDocuments: 100_000,
  rateLimitPerMinute: 1_200,
};

export interface ApiDeps {
  fleet: FleetConfig;
  redis: Redis;
  queues: FleetQueues;
  producer: Producer;
  batches: BatchStore;
  apiKeys: ApiKeyTable;
  readResult(id: string): Promise<JobResult | undefined>;
  cancel(id: string): Promise<CancelOutcome>;
  /** Announces a batch that finished while it was being submitted, or when a status read counted its last jobs. */
  onBatchFinished?: (batch: BatchRecord) => Promise<void>;
  /** A batch's status read counts a job finished this long ago that its worker never counted (it died first); 10 s when unset. */
  settleMissedAfterMs?: number;
  limits: ApiLimits;
  /** The fleet's default webhook secret (FLEET_WEBHOOK_SECRET), from which each tenant's is derived. */
  webhookSecret?: string | undefined;
  logger: Logger | false;
  /** Tenants whose keys are the fleet's admins (FLEET_ADMIN_TENANTS): they see every tenant's budget. None when unset. */
  adminTenants?: ReadonlySet<string>;
}
