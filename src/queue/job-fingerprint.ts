import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { JobSpec } from '../core/job/job-spec.js';

/**
 * What a job was asked to do, as a short digest of its validated spec (keys
 * sorted, so the order of the client's fields does not matter). A repeat
 * under the same id with another digest is another request, not a retry.
 */
export function jobFingerprint(spec: JobSpec): string {
  return createHash('sha256').update(stringify(spec) ?? '').digest('base64url').slice(0, 22);
}
