import type { Telemetry } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { withoutJobContent } from '../../../src/telemetry/without-job-content.js';

/** A telemetry that records what reaches its spans. */
function recording(): { telemetry: Telemetry; seen: unknown[] } {
  const seen: unknown[] = [];
  const span = {
    setSpanOnContext: (ctx: unknown) => ctx,
    setAttribute: (key: string, value: unknown) => seen.push(['attribute', key, value]),
    setAttributes: (attributes: unknown) => seen.push(['attributes', attributes]),
    addEvent: (name: string, attributes?: unknown) => seen.push(['event', name, attributes]),
    recordException: (exception: unknown) => seen.push(['exception', exception]),
    end: () => seen.push(['end']),
  };
  const telemetry = {
    tracer: { startSpan: () => span },
    contextManager: { with: (_ctx: unknown, fn: () => unknown) => fn(), active: () => ({}), getMetadata: () => '', fromMetadata: (ctx: unknown) => ctx },
  } as unknown as Telemetry;
  return { telemetry, seen };
}

describe("BullMQ's telemetry without job content", () => {
  it("keeps ids, queues and states, and drops a job's result, progress and failure message, and an exception's message", () => {
    const { telemetry, seen } = recording();
    const span = withoutJobContent(telemetry).tracer.startSpan('process tier-small', { kind: 4 });
    span.setAttributes({ 'bullmq.job.id': 'acme/doc-1', 'bullmq.job.progress': 'half of the document' });
    span.setAttribute('bullmq.job.result', '{"answer":{"text":"the answer"}}');
    span.setAttribute('bullmq.queue.name', 'tier-small');
    span.addEvent('job completed', { 'bullmq.job.result': '{"answer":{"text":"the answer"}}' });
    span.addEvent('job failed', { 'bullmq.job.failed.reason': 'no majority: "the answer" 1, "another answer" 1', 'bullmq.job.attempts.made': 2 });
    span.recordException({ name: 'UnrecoverableError', message: 'quotes the document', code: 'E1' });
    span.end();
    expect(seen).toEqual([
      ['attributes', { 'bullmq.job.id': 'acme/doc-1' }],
      ['attribute', 'bullmq.queue.name', 'tier-small'],
      ['event', 'job completed', {}],
      ['event', 'job failed', { 'bullmq.job.attempts.made': 2 }],
      ['exception', { name: 'UnrecoverableError', code: 'E1' }],
      ['end'],
    ]);
  });
});
