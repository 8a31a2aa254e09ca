import type { BatchReceiptView } from '../queue/batches/batch-views.js';
import { EXIT } from './cli-error.js';
import type { DocumentSource } from './read-documents.js';

/** Refusals printed one per line; the rest are counted. */
const SHOWN_REFUSALS = 20;

/** What `fleet enqueue` says about a receipt: lines for stderr, the exit code, and whether the batch id goes to stdout. */
export interface EnqueueOutcome {
  code: number;
  /** Print the batch id on stdout (a batch that holds jobs of this run, or existed already). */
  printBatchId: boolean;
  lines: string[];
}

/** Jobs the receipt put in the batch: accepted ones, less those whose id existed already (they are not the batch's). */
export function jobsInBatch(receipt: BatchReceiptView): number {
  // An API older than `duplicates` leaves it out of its answer.
  const duplicates = Number.isFinite(receipt.duplicates) ? receipt.duplicates : 0;
  return Math.max(0, receipt.accepted - duplicates);
}

/** How to run jobs whose ids exist already: new ids from file names (--id-prefix), or new ids in the JSONL. */
function newIdsHint(source: Pick<DocumentSource, 'kind' | 'label'>): string {
  if (source.kind === 'jsonl') {
    const where = source.label === 'stdin' ? 'the input' : source.label;
    return `to run them again, give them new "id"s in ${where} (or leave "id" out)`;
  }
  return 'to run them again, enqueue under new ids with --id-prefix';
}

/** `; 2 of them with different content than their existing jobs, whose results stand`, when documents changed since. */
function changedNote(receipt: BatchReceiptView): string {
  const changed = Number.isFinite(receipt.changed) ? receipt.changed : 0;
  if (changed === 0) return '';
  return `; ${String(changed)} of them with different content than their existing ${changed === 1 ? 'job, whose result stands' : 'jobs, whose results stand'}`;
}

/** The refused documents, one per line (the first 20), when this run read and refused any. */
export function refusalLines(receipt: BatchReceiptView, source: Pick<DocumentSource, 'where'>, read: number): string[] {
  // A batch that existed already was not read again: its refusals are from the run that made it, by positions of that input.
  if (!receipt.created || receipt.refusedCount === 0) return [];
  const lines = [`refused ${receipt.refusedCount} of ${read} documents:`];
  for (const r of receipt.refused.slice(0, SHOWN_REFUSALS)) lines.push(`  ${source.where(r.index)}: ${r.message}`);
  const more = receipt.refusedCount - Math.min(receipt.refused.length, SHOWN_REFUSALS);
  if (more > 0) lines.push(`  … and ${more} more (--json lists the first ${receipt.refused.length})`);
  return lines;
}

/** The exit code and closing lines for a receipt of `read` documents from `source`. */
export function enqueueOutcome(receipt: BatchReceiptView, source: Pick<DocumentSource, 'kind' | 'label'>, read: number): EnqueueOutcome {
  const id = receipt.batchId;
  if (!receipt.created) {
    const refused = receipt.refusedCount > 0 ? `, ${receipt.refusedCount} documents refused when it was enqueued` : '';
    return {
      code: EXIT.ok,
      printBatchId: true,
      lines: [`batch ${id} existed already (${receipt.accepted} jobs${refused}); nothing was enqueued again`],
    };
  }
  // Refused whole (under --all-or-nothing, or every document refused): the id is free for the corrected batch.
  if (!receipt.enqueued && receipt.accepted > 0) {
    return {
      code: EXIT.failed,
      printBatchId: false,
      lines: [`fleet: nothing enqueued: ${receipt.refusedCount} of ${read} documents refused and --all-or-nothing is set; fix them and enqueue again`],
    };
  }
  if (receipt.accepted === 0) {
    const why = read === 0 ? 'no documents were read' : `all ${read} documents were refused`;
    return { code: EXIT.failed, printBatchId: false, lines: [`fleet: nothing enqueued: ${why}`] };
  }
  const inBatch = jobsInBatch(receipt);
  const duplicates = receipt.accepted - inBatch;
  if (inBatch === 0) {
    const refused = receipt.refusedCount > 0 ? ` (${receipt.refusedCount} more documents were refused)` : '';
    const ids = duplicates === 1 ? 'its job id exists' : `all ${duplicates} job ids exist`;
    return {
      code: EXIT.failed,
      printBatchId: false,
      lines: [
        `fleet: nothing new enqueued: ${ids} already in the fleet (enqueued before, by another batch or on their own), ` +
          `so batch ${id} holds no jobs${refused}${changedNote(receipt)}; ${newIdsHint(source)}`,
      ],
    };
  }
  const lines: string[] = [];
  if (receipt.resumed === true) lines.push(`note: batch ${id} was carried on: an earlier submission of it stopped part-way; each document is enqueued once`);
  if (receipt.refusedCount > 0) {
    lines.push(`fleet: warning: ${receipt.refusedCount} documents refused; ${inBatch} enqueued in batch ${id}`);
  }
  if (duplicates > 0) {
    lines.push(
      `note: ${duplicates} job ids exist already in the fleet and were not enqueued again; they are not part of batch ${id}${changedNote(receipt)} (${newIdsHint(source)})`,
    );
  }
  lines.push(`enqueued ${inBatch} jobs in batch ${id}; follow it with: fleet status ${id} --watch`);
  return { code: EXIT.ok, printBatchId: true, lines };
}
