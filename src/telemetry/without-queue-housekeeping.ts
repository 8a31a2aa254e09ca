import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** BullMQ's own upkeep: each makes a trace of one span every few seconds per worker, about no job. */
const HOUSEKEEPING = new Set(['getNextJob', 'moveStalledJobsToWait', 'startStalledCheckTimer', 'extendLocks', 'close', 'waitUntilReady', 'delay']);

/**
 * A span processor that passes on every span but the root spans of BullMQ's
 * upkeep (polling, stalled checks, lock renewals, closing), so a collector
 * gets the jobs' traces rather than a trace every few seconds per worker.
 */
export function withoutQueueHousekeeping(inner: SpanProcessor): SpanProcessor {
  return {
    onStart: (span: Span, parentContext: Context) => inner.onStart(span, parentContext),
    onEnd: (span: ReadableSpan) => {
      const operation = span.attributes['bullmq.queue.operation'];
      if (span.parentSpanContext === undefined && typeof operation === 'string' && HOUSEKEEPING.has(operation)) return;
      inner.onEnd(span);
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
}
