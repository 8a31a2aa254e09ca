import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/cli-error.js';
import { enqueueOutcome, jobsInBatch, refusalLines } from '../../../src/cli/enqueue-outcome.js';
import { asBatchReceiptView, type BatchReceiptView } from '../../../src/queue/batches/batch-views.js';

const receipt = (over: Partial<BatchReceiptView>): BatchReceiptView => ({
  batchId: 'B',
  created: true,
  enqueued: true,
  accepted: 2,
  duplicates: 0,
  changed: 0,
  refusedCount: 0,
  refused: [],
  ...over,
});
const jsonl = { kind: 'jsonl' as const, label: 'dup.jsonl' };
const folder = { kind: 'folder' as const, label: 'docs/ (2 files)' };
const where = { where: (i: number) => `line ${i + 1}` };

describe('fleet enqueue: what the receipt comes to', () => {
  it('counts only the jobs in the batch: accepted less the ids that existed already', () => {
    expect(jobsInBatch(receipt({ accepted: 5, duplicates: 2 }))).toBe(3);
    // An API that does not send `duplicates`.
    expect(jobsInBatch(asBatchReceiptView({ batchId: 'B', created: true, accepted: 5 }))).toBe(5);
  });

  it('enqueued a new batch: exit 0, the batch id on stdout', () => {
    const out = enqueueOutcome(receipt({}), jsonl, 2);
    expect(out).toMatchObject({ code: EXIT.ok, printBatchId: true });
    expect(out.lines).toEqual(['enqueued 2 jobs in batch B; follow it with: fleet status B --watch']);
  });

  it('carried on a batch whose earlier submission stopped part-way: says so, exit 0', () => {
    const out = enqueueOutcome(receipt({ resumed: true }), jsonl, 2);
    expect(out).toMatchObject({ code: EXIT.ok, printBatchId: true });
    expect(out.lines).toEqual([
      'note: batch B was carried on: an earlier submission of it stopped part-way; each document is enqueued once',
      'enqueued 2 jobs in batch B; follow it with: fleet status B --watch',
    ]);
  });

  it('some ids existed already with other content: says their old results stand', () => {
    const out = enqueueOutcome(receipt({ accepted: 3, duplicates: 2, changed: 1 }), folder, 3);
    expect(out.lines[0]).toBe(
      'note: 2 job ids exist already in the fleet and were not enqueued again; they are not part of batch B; 1 of them with different content than their existing job, whose result stands (to run them again, enqueue under new ids with --id-prefix)',
    );
    const none = enqueueOutcome(receipt({ accepted: 2, duplicates: 2, changed: 2 }), folder, 2);
    expect(none.lines[0]).toContain('so batch B holds no jobs; 2 of them with different content than their existing jobs, whose results stand; to run them again');
  });

  it('some ids existed already: reports the jobs in the batch, not the accepted, with a note', () => {
    const out = enqueueOutcome(receipt({ accepted: 3, duplicates: 2 }), jsonl, 3);
    expect(out.code).toBe(EXIT.ok);
    expect(out.lines.at(-1)).toBe('enqueued 1 jobs in batch B; follow it with: fleet status B --watch');
    expect(out.lines[0]).toMatch(/^note: 2 job ids exist already in the fleet and were not enqueued again; they are not part of batch B/);
  });

  it('every id existed already: nothing new was enqueued, exit 1, no batch id on stdout', () => {
    const out = enqueueOutcome(receipt({ accepted: 2, duplicates: 2 }), jsonl, 2);
    expect(out).toMatchObject({ code: EXIT.failed, printBatchId: false });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(/^fleet: nothing new enqueued: all 2 job ids exist already in the fleet .* so batch B holds no jobs;/);
    expect(out.lines.join('\n')).not.toMatch(/enqueued 2 jobs/);
  });

  it('suggests --id-prefix only for documents whose ids come from file names; for JSONL, new ids in the file', () => {
    const fromJsonl = enqueueOutcome(receipt({ duplicates: 2 }), jsonl, 2).lines.join('\n');
    expect(fromJsonl).not.toContain('--id-prefix');
    expect(fromJsonl).toContain('give them new "id"s in dup.jsonl');
    const fromStdin = enqueueOutcome(receipt({ duplicates: 2 }), { kind: 'jsonl', label: 'stdin' }, 2).lines.join('\n');
    expect(fromStdin).toContain('give them new "id"s in the input');
    for (const source of [folder, { kind: 'text-file' as const, label: 'a.md' }]) {
      expect(enqueueOutcome(receipt({ duplicates: 2 }), source, 2).lines.join('\n')).toContain('enqueue under new ids with --id-prefix');
      expect(enqueueOutcome(receipt({ accepted: 3, duplicates: 1 }), source, 3).lines.join('\n')).toContain('--id-prefix');
    }
  });

  it('a warning about refusals counts the jobs in the batch', () => {
    const out = enqueueOutcome(receipt({ accepted: 3, duplicates: 1, refusedCount: 1 }), jsonl, 4);
    expect(out.lines[0]).toBe('fleet: warning: 1 documents refused; 2 enqueued in batch B');
  });

  it('a batch that existed already: exit 0 and no refusal report against the documents of this run', () => {
    const existed = receipt({ created: false, accepted: 3, refusedCount: 1, refused: [] });
    expect(refusalLines(existed, where, 0)).toEqual([]);
    const out = enqueueOutcome(existed, jsonl, 0);
    expect(out).toMatchObject({ code: EXIT.ok, printBatchId: true });
    expect(out.lines).toEqual(['batch B existed already (3 jobs, 1 documents refused when it was enqueued); nothing was enqueued again']);
    expect(out.lines.join('\n')).not.toMatch(/of 0 documents|first 0/);
  });

  it('every document refused: says so, whether or not --all-or-nothing was set (the fleet refuses such a batch whole)', () => {
    const out = enqueueOutcome(receipt({ enqueued: false, accepted: 0, refusedCount: 3 }), jsonl, 3);
    expect(out).toMatchObject({ code: EXIT.failed, printBatchId: false, lines: ['fleet: nothing enqueued: all 3 documents were refused'] });
    const aon = enqueueOutcome(receipt({ enqueued: false, accepted: 2, refusedCount: 1 }), jsonl, 3);
    expect(aon.lines).toEqual(['fleet: nothing enqueued: 1 of 3 documents refused and --all-or-nothing is set; fix them and enqueue again']);
  });

  it('lists refusals of a new batch by where they were read', () => {
    const lines = refusalLines(receipt({ refusedCount: 1, refused: [{ index: 1, field: 'tier', message: 'tier: no tier is named "huge"' }] }), where, 3);
    expect(lines).toEqual(['refused 1 of 3 documents:', '  line 2: tier: no tier is named "huge"']);
  });
});
