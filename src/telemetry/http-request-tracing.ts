import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';

/** Requests not traced: health probes (every few seconds), the dashboards' pages and assets, the API's docs. */
const UNTRACED = /^\/(healthz|readyz|admin|docs)(\/|\?|$)/;

/**
 * A request span as the HTTP conventions give it: named `POST /v1/jobs/:id`,
 * its path without the query, and an error only for a 5xx answer, without a
 * message. (@fastify/otel marks every error thrown an error, with its
 * message; a 4xx refusal is the caller's, and its text may quote what it sent.)
 */
function shapeRequestSpan(span: Span, request: FastifyRequest): void {
  const route = request.routeOptions.url;
  span.updateName(route === undefined ? request.method : `${request.method} ${route}`);
  span.setAttribute('url.path', request.url.split('?')[0] ?? request.url);
  const { setAttributes, setStatus, end } = { setAttributes: span.setAttributes.bind(span), setStatus: span.setStatus.bind(span), end: span.end.bind(span) };
  let status = 0;
  span.setAttributes = (attributes) => {
    const code = attributes['http.response.status_code'];
    if (typeof code === 'number') status = code;
    return setAttributes(attributes);
  };
  span.setStatus = () => span;
  span.end = (endTime) => {
    if (status >= 500) setStatus({ code: SpanStatusCode.ERROR });
    end(endTime);
  };
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
    requestHook: shapeRequestSpan,
  });
  return instrumentation.plugin();
}
