import type { Telemetry } from 'bullmq';

/**
 * What BullMQ would put on its spans of a job's content: its return value
 * (the answer), its progress, and why it failed (a vote's tie quotes the
 * answers; a model's refusal may quote the document).
 */
const CONTENT_ATTRIBUTES: ReadonlySet<string> = new Set(['bullmq.job.result', 'bullmq.job.progress', 'bullmq.job.failed.reason']);

type Span = ReturnType<Telemetry['tracer']['startSpan']>;
type Attributes = Parameters<Span['setAttributes']>[0];

const withoutContent = (attributes: Attributes | undefined): Attributes | undefined =>
  attributes === undefined ? undefined : Object.fromEntries(Object.entries(attributes).filter(([key]) => !CONTENT_ATTRIBUTES.has(key)));

type Exception = Exclude<Parameters<Span['recordException']>[0], string>;
const withoutMessage = (exception: Exception): Exception => ({
  name: exception.name ?? 'Error',
  ...(exception.code === undefined ? {} : { code: exception.code }),
});

/**
 * BullMQ's telemetry, less what it records of a job's content: a finished
 * job's span event carries its whole return value (the answer, which may
 * quote the document), a failed one's its failure message, and an
 * exception its message. Answers and prompts stay out of traces as they
 * stay out of logs; ids, queues, timings, states and error names stay in.
 */
export function withoutJobContent(telemetry: Telemetry): Telemetry {
  const { tracer } = telemetry;
  return {
    ...telemetry,
    tracer: {
      startSpan(name, options, context): Span {
        const span = tracer.startSpan(name, options, context);
        return {
          setSpanOnContext: (ctx) => span.setSpanOnContext(ctx) as unknown,
          setAttribute: (key, value) => {
            if (!CONTENT_ATTRIBUTES.has(key)) span.setAttribute(key, value);
          },
          setAttributes: (attributes) => span.setAttributes(withoutContent(attributes) ?? {}),
          addEvent: (eventName, attributes) => span.addEvent(eventName, withoutContent(attributes)),
          // The exception's kind, not its message (which may quote the answer or the document).
          recordException: (exception, time) => span.recordException(typeof exception === 'string' ? { name: 'Error' } : withoutMessage(exception), time),
          end: () => span.end(),
        };
      },
    },
  };
}
