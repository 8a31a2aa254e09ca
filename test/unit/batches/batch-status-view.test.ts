import { describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../../src/queue/batches/batch-store.js';
import { batchStatusView, SUBMISSION_STALE_MS } from '../../../src/queue/batches/batch-views.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const record = (over: Partial<BatchRecord>): BatchRecord => ({
  id: 'b-1',
  tenant: 'acme',
  status: 'enqueueing',
  createdAt: T0,
  touchedAt: T0,
  total: 0,
  refused: 0,
  completed: 2,
  failed: 0,
  costUsd: 0.001,
  byTier: { small: 2 },
  ...over,
});

describe('a batch still enqueueing', () => {
  it('shows as enqueueing while its submission gives signs of life', () => {
    const view = batchStatusView(record({ touchedAt: T0 + 60_000 }), T0 + 60_000 + SUBMISSION_STALE_MS);
    expect(view.status).toBe('enqueueing');
    expect(view.message).toBeUndefined();
  });

  it('shows as interrupted once its submission has been silent too long, saying since when and how to carry it on', () => {
    const view = batchStatusView(record({}), T0 + SUBMISSION_STALE_MS + 1);
    expect(view.status).toBe('interrupted');
    expect(view.message).toBe(
      'its submission stopped part-way at 2026-11-22T09:00:00.000Z (its client or API process went away); send the same documents again under this batch id to carry it on: each document is enqueued once',
    );
    // The jobs it enqueued still run and count.
    expect(view.counts).toMatchObject({ completed: 2, failed: 0 });
  });

  it('an open or finished batch is never interrupted, however old', () => {
    for (const status of ['open', 'finished'] as const) expect(batchStatusView(record({ status, total: 2 }), T0 + 86_400_000).status).toBe(status);
  });
});
