import { createHash } from 'node:crypto';
import type { StickyBy } from './experiment-shape.js';

/** What a job offers to stick on. */
export interface StickySource {
  tenant: string;
  /** The job id (given, or the one the producer made up). */
  id: string;
  metadata: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The value that keeps a job on its variant: its tenant, its id, or a
 * metadata value. Undefined when the job lacks that metadata key (it then
 * takes no part in the experiment).
 */
export function stickyKey(sticky: StickyBy, job: StickySource): string | undefined {
  if (sticky === 'tenant') return `tenant:${job.tenant}`;
  if (sticky === 'job') return `job:${job.id}`;
  const value = job.metadata[sticky.metadata];
  return value === undefined ? undefined : `metadata:${typeof value}:${String(value)}`;
}

const TWO_POW_48 = 2 ** 48;

/** A point in [0, 1), the same for the same experiment and key on every process and run. */
export function bucketOf(experiment: string, key: string): number {
  const digest = createHash('sha256').update(experiment).update('\u0000').update(key).digest();
  return digest.readUIntBE(0, 6) / TWO_POW_48;
}

/**
 * The variant an experiment gives a sticky key: the key's bucket, scaled by
 * the total weight, falls in one variant's share. A pure, deterministic
 * function; a variant of weight 0 is never chosen, and undefined comes back
 * only when no variant has any weight.
 */
export function assignVariant<V extends { name: string; weight: number }>(
  experiment: string,
  key: string,
  variants: readonly V[],
): V | undefined {
  const total = variants.reduce((sum, v) => sum + (v.weight > 0 ? v.weight : 0), 0);
  if (!(total > 0)) return undefined;
  const point = bucketOf(experiment, key) * total;
  let upTo = 0;
  let last: V | undefined;
  for (const variant of variants) {
    if (!(variant.weight > 0)) continue;
    upTo += variant.weight;
    last = variant;
    if (point < upTo) return variant;
  }
  // Rounding at the very top of the range: the last variant with weight.
  return last;
}
