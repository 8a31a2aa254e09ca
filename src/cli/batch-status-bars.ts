import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { BatchStatusView } from '../queue/batches/batch-views.js';

/** `batch b-1: open, 12/20 done (12 completed, 0 failed, 8 pending; 3 refused) | small 9, large 3 | $0.001234` */
export function formatBatchStatus(view: BatchStatusView): string {
  const { completed, failed, pending } = view.counts;
  const refused = view.refused > 0 ? `; ${view.refused} refused` : '';
  const tiers = Object.entries(view.byTier).map(([tier, n]) => `${tier} ${n}`);
  return (
    `batch ${view.id}: ${view.status}, ${completed + failed}/${view.total} done ` +
    `(${completed} completed, ${failed} failed, ${pending} pending${refused})` +
    (tiers.length > 0 ? ` | by tier: ${tiers.join(', ')}` : '') +
    ` | $${view.costUsd.toFixed(6)}`
  );
}

export interface BatchStatusBars {
  update(view: BatchStatusView): void;
  stop(): void;
}

const LABEL_WIDTH = 18;
const label = (text: string): string => (text.length >= LABEL_WIDTH ? text.slice(0, LABEL_WIDTH) : text.padEnd(LABEL_WIDTH));

/**
 * A line for the batch, a bar per state (completed, failed, pending) and a
 * bar per tier (jobs finished there), on stderr; drawn on a terminal only.
 */
export function createBatchStatusBars(stream: NodeJS.WritableStream = process.stderr): BatchStatusBars {
  const multi = new MultiBar(
    { format: '{label} |{bar}| {value}/{total}', stream, hideCursor: true, autopadding: true, barsize: 30 },
    Presets.shades_classic,
  );
  let header: SingleBar | undefined;
  const bars = new Map<string, SingleBar>();
  const started = Date.now();
  let stopped = false;

  const set = (key: string, value: number, total: number): void => {
    let bar = bars.get(key);
    if (bar === undefined) {
      bar = multi.create(total, value, { label: label(key) });
      bars.set(key, bar);
    }
    bar.setTotal(total);
    bar.update(value, { label: label(key) });
  };

  return {
    update(view) {
      const payload = {
        id: view.id,
        status: view.status,
        cost: view.costUsd.toFixed(6),
        refused: view.refused > 0 ? ` · ${view.refused} refused` : '',
        elapsed: Math.round((Date.now() - started) / 1000),
      };
      header ??= multi.create(1, 0, payload, { format: 'batch {id} · {status} · ${cost}{refused} · {elapsed}s' });
      header.update(0, payload);
      const total = Math.max(1, view.total);
      set('completed', view.counts.completed, total);
      set('failed', view.counts.failed, total);
      set('pending', view.counts.pending, total);
      for (const [tier, finished] of Object.entries(view.byTier)) set(`tier ${tier}`, finished, total);
    },
    stop() {
      if (header === undefined || stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}
