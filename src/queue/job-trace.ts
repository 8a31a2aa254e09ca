import { SpanKind, type Telemetry } from 'bullmq';

/**
 * A job's own trace, for `opts.telemetry` of a job added in bulk: a producer
 * span of its own, whose context rides on the job. Started at the root (a
 * batch's jobs), or under the active span (a job enqueued alone: the API
 * request's). Without it every job of an `addBulk` (a batch of 100,000
 * documents) would share that one call's trace.
 */
export function ownJobTrace(telemetry: Telemetry, queueName: string, jobId: string, under: 'root' | 'active' = 'root'): { metadata: string } {
  const { tracer, contextManager } = telemetry;
  const root: unknown = under === 'active' ? contextManager.active() : (contextManager.root?.() ?? contextManager.active());
  const span = tracer.startSpan(`enqueue ${queueName}`, { kind: SpanKind.PRODUCER }, root);
  span.setAttributes({ 'bullmq.queue.name': queueName, 'bullmq.queue.operation': 'add', 'bullmq.job.id': jobId });
  const metadata = contextManager.getMetadata(span.setSpanOnContext(root));
  span.end();
  return { metadata };
}
