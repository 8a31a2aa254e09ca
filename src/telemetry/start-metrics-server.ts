import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface MetricsServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** `service.name` of the process: `fleet-api`, `fleet-worker`. */
  serviceName: string;
  /** More attributes of the process, on `target_info` (the tier a worker serves, say). */
  attributes?: Record<string, string>;
  /** Told of a server error after it started listening (it keeps serving); the process would crash on one otherwise. */
  onError?: (error: Error) => void;
}

export interface MetricsServer {
  meter: Meter;
  /** The address Prometheus scrapes: `http://host:port/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * This process's metrics for Prometheus: an OpenTelemetry MeterProvider
 * whose reader is the Prometheus exporter, served on its own port at
 * `GET /metrics` (anything else answers 404), apart from the API's port so
 * it can stay inside the cluster's network.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, ...options.attributes }),
    readers: [exporter],
  });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      exporter.getMetricsRequestHandler(request, response);
      return;
    }
    response.statusCode = 404;
    response.end('metrics are at GET /metrics\n');
  });
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(`cannot serve metrics on ${host}:${String(options.port)} (${error.code ?? error.message}); set FLEET_METRICS_PORT to a free port`, { cause: error }));
    });
    server.listen(options.port, host, () => {
      server.removeAllListeners('error');
      server.on('error', (error) => options.onError?.(error));
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    meter: provider.getMeter('converse-fleet'),
    url: `http://${shownHost}:${String(port)}/metrics`,
    port,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await provider.shutdown();
    },
  };
}
