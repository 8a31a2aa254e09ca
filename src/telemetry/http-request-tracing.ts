import type { Span } from '@opentelemetry/api';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';

/** Requests not traced: health probes (every few seconds), the dashboards' pages and assets, the API's docs. */
const UNTRACED = /^\/(healthz|readyz|admin|docs)(\/|\?|$)/;

/** A request span's name and path as the HTTP conventions give them: `POST /v1/jobs/:id`, and the path without its query. */
function nameRequestSpan(span: Span, request: FastifyRequest): void {
  const route = request.routeOptions.url;
  span.updateName(route === undefined ? request.method : `${request.method} ${route}`);
  span.setAttribute('url.path', request.url.split('?')[0] ?? request.url);
}

/**
 * The Fastify plugin (@fastify/otel) that makes each API request a server
 * span: a job enqueued by it is its child, and a caller's `traceparent`
 * header continues the caller's trace. No hook or handler spans (their names
 * would be the plugins' source), and no exception messages (a refusal's text
 * may quote what was sent).
 */
export function httpRequestTracing(): FastifyPluginCallback {
  const instrumentation = new FastifyOtelInstrumentation({
    recordExceptions: false,
    instrumentHooks: false,
    instrumentHandler: false,
    ignorePaths: ({ url }) => UNTRACED.test(url),
    requestHook: nameRequestSpan,
  });
  return instrumentation.plugin();
}
