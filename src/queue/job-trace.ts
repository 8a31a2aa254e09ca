import { SpanKind, type Telemetry } from 'bullmq';

/**
 * A job's own trace, for `opts.telemetry` of a job added in bulk: a producer
 * span of its own, started at the root, whose context rides on the job.
 * Without it every job of an `addBulk` (a batch of 100,000 documents) would
 * share that one call's trace.
 */
export function ownJobTrace(telemetry: Telemetry, queueName: string, jobId: string): { metadata: string } {
  const { tracer, contextManager } = telemetry;
  const root: unknown = contextManager.root?.() ?? contextManager.active();
  const span = tracer.startSpan(`enqueue ${queueName}`, { kind: SpanKind.PRODUCER }, root);
  span.setAttributes({ 'bullmq.queue.name': queueName, 'bullmq.queue.operation': 'add', 'bullmq.job.id': jobId });
  const metadata = contextManager.getMetadata(span.setSpanOnContext(root));
  span.end();
  return { metadata };
}
