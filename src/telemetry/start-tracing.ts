import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import type { FastifyPluginCallback } from 'fastify';
import { httpRequestTracing } from './http-request-tracing.js';
import { withoutJobContent } from './without-job-content.js';
import { withoutQueueHousekeeping } from './without-queue-housekeeping.js';

export interface Tracing {
  /** For the fleet's own spans (model calls). */
  tracer: Tracer;
  /** BullMQ's: a span per job added and per job run, the trace riding on the job from producer to worker (without answers). */
  telemetry: Telemetry;
  /** For the API's Fastify app, registered first: a server span per request (http-request-tracing.ts). */
  httpPlugin: FastifyPluginCallback;
  /** Sends the spans still buffered, and stops. */
  shutdown(): Promise<void>;
}

const TRACER_NAME = 'converse-fleet';

/**
 * Traces this process to an OTLP/HTTP endpoint when the standard variables
 * name one (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
 * OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true turn it off); the
 * exporter reads its headers and timeouts from the process's variables.
 * Undefined, with nothing started, otherwise.
 */
export function startTracing(options: { serviceName: string; attributes?: Record<string, string>; env: Record<string, string | undefined> }): Tracing | undefined {
  const { env } = options;
  // As the specification says: the traces endpoint as it is, else the base endpoint plus /v1/traces.
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? '';
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
  const url = traces !== '' ? traces : base !== '' ? `${base.replace(/\/+$/, '')}/v1/traces` : '';
  if (url === '' || env.OTEL_TRACES_EXPORTER === 'none' || env.OTEL_SDK_DISABLED === 'true') return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, ...options.attributes }),
    spanProcessors: [withoutQueueHousekeeping(new BatchSpanProcessor(new OTLPTraceExporter({ url })))],
  });
  // Global, as BullMQ's telemetry and the context of each job's run are read through the API's globals.
  provider.register();
  return {
    tracer: trace.getTracer(TRACER_NAME),
    telemetry: withoutJobContent(new BullMQOtel({ tracerName: TRACER_NAME })),
    httpPlugin: httpRequestTracing(),
    shutdown: () => provider.shutdown(),
  };
}
