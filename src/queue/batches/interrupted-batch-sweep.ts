import type { Logger } from 'pino';
import { repeatWithoutOverlap } from '../repeat-without-overlap.js';
import type { BatchRecord, BatchStore } from './batch-store.js';

export interface InterruptedBatchSweepDeps {
  batches: Pick<BatchStore, 'takeInterrupted'>;
  /** Tells of one interrupted batch, stopped at `lapsedAt`: its log line and `batch.interrupted` webhook (batchAnnouncer). */
  announce: (batch: BatchRecord, lapsedAt: number) => Promise<void>;
  log: Logger;
  /** How often to look (15 s unless a test shortens it). */
  intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 15_000;

/**
 * Every `intervalMs`, tells of batches whose submission stopped part-way
 * (its client or API process went away): they will not finish until sent
 * again, so whoever waits on their webhook hears it. Every worker process
 * looks; each interruption is taken, and told, by one. Returns a stop.
 */
export function startInterruptedBatchSweep(deps: InterruptedBatchSweepDeps): () => void {
  // A batch it could not tell of is put back, and told at the next look.
  return repeatWithoutOverlap(
    () => deps.batches.takeInterrupted(deps.announce),
    deps.intervalMs ?? DEFAULT_INTERVAL_MS,
    (error) => deps.log.warn({ err: error }, 'could not look for interrupted batches, or tell of one (it is told at the next look)'),
  );
}
