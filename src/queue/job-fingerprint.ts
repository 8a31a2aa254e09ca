import { hash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { JobSpec } from '../core/job/job-spec.js';

/**
 * What a job was asked to do, as a short digest of its validated spec (keys
 * sorted, so the order of the client's fields does not matter). A repeat
 * under the same id with another digest is another request, not a retry.
 * The batch it came in is left out: the same document sent again in
 * another batch (or on its own) asks the same; so is `stream: false`.
 */
export function jobFingerprint(spec: JobSpec): string {
  const asked: Partial<JobSpec> = { ...spec };
  delete asked.batchId;
  // `stream: false` asks what leaving it out asks.
  if (asked.stream === false) delete asked.stream;
  // The one-shot hash: a few µs per job on a batch's intake path.
  return hash('sha256', stringify(asked) ?? '', 'base64url').slice(0, 22);
}
