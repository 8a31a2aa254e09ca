import type { JobResult } from '../../core/job/job-result.js';
import { clientId } from '../../core/job/tenant-scoped-id.js';
import type { BatchRecord, BatchStore } from './batch-store.js';

/** Results read and sent per page. */
const PAGE = 500;

/**
 * A batch's job results as NDJSON text, a page at a time, in input order or
 * as they finished. A job whose result is gone reads `{ id, state: "expired" }`,
 * and so does an id since reused by another tenant's job: a batch's list
 * outlives its jobs' results, and another tenant's result is not this batch's.
 */
export async function* batchResultLines(
  deps: { batches: Pick<BatchStore, 'jobIds'>; read: (id: string) => Promise<JobResult | undefined> },
  batch: Pick<BatchRecord, 'id' | 'tenant'>,
  order: 'input' | 'finished',
): AsyncGenerator<string> {
  for (let offset = 0; ; offset += PAGE) {
    const ids = await deps.batches.jobIds(batch.id, order, offset, PAGE);
    if (ids.length === 0) return;
    const results = await Promise.all(ids.map((id) => deps.read(id)));
    let text = '';
    for (const [i, result] of results.entries()) {
      const own = result !== undefined && result.tenant === batch.tenant;
      text += `${JSON.stringify(own ? result : { id: clientId(batch.tenant, ids[i] ?? ''), state: 'expired' })}\n`;
    }
    yield text;
    if (ids.length < PAGE) return;
  }
}
