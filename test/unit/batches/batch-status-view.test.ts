import { describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../../src/queue/batches/batch-store.js';
import { batchStatusView } from '../../../src/queue/batches/batch-views.js';

const record = (over: Partial<BatchRecord>): BatchRecord => ({
  id: 'b-1',
  tenant: 'acme',
  status: 'enqueueing',
  createdAt: Date.UTC(2026, 10, 22, 9, 0, 0),
  total: 0,
  refused: 0,
  completed: 2,
  failed: 0,
  costUsd: 0.001,
  byTier: { small: 2 },
  ...over,
});

describe('a batch still enqueueing', () => {
  it('shows as enqueueing while a submission of it is alive', () => {
    const view = batchStatusView(record({ submitting: true }));
    expect(view.status).toBe('enqueueing');
    expect(view.message).toBeUndefined();
  });

  it('shows as interrupted when no submission of it is alive, saying how to carry it on', () => {
    const view = batchStatusView(record({ submitting: false }));
    expect(view.status).toBe('interrupted');
    expect(view.message).toBe(
      'its submission stopped part-way (its client or API process went away); send the same documents again under this batch id to carry it on: each document is enqueued once',
    );
    // The jobs it enqueued still run and count.
    expect(view.counts).toMatchObject({ completed: 2, failed: 0 });
  });

  it('an open or finished batch is never interrupted', () => {
    for (const status of ['open', 'finished'] as const) expect(batchStatusView(record({ status, total: 2, submitting: false })).status).toBe(status);
  });
});
