import { createServer as createHttp1Server } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { FleetConfig } from '../config/fleet-schema.js';
import { CONTROL_PREFIX, handleControl } from './control-routes.js';
import { EmulatorState } from './emulator-state.js';
import { sendException, type Request, type Response } from './http-io.js';
import { handleModelCall } from './handle-model-call.js';
import type { ReplayDataset } from './replay/replay-dataset.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';

export interface EmulatorOptions {
  /** Behaviour per model; omit for plausible answers from every fleet model. */
  scenario?: Scenario;
  /** Models answered without a scenario entry; usually the default fleet file's. */
  fleet?: FleetConfig;
  /** Recorded answers for `replay` mode, already loaded. */
  replay?: ReplayDataset;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  logger?: Logger;
}

export interface Emulator {
  /** Base URL to give the SDK client as `endpoint`. */
  url: string;
  port: number;
  /** In-process access to counts and run-time behaviour (the control endpoint uses the same). */
  state: EmulatorState;
  close(): Promise<void>;
}

/** `POST /model/{id}/converse[-stream]`; a path prefix before it is allowed, as the SDK keeps one. */
const MODEL_ROUTE = /\/model\/([^/]+)\/(converse|converse-stream)$/;

/** The HTTP/2 connection preface starts with these bytes; anything else is HTTP/1.x. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * Starts a Converse-compatible server on one port for both HTTP/1.1 and
 * cleartext HTTP/2 (the SDK's default), by peeking at each connection's
 * first bytes.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState({
    scenario: options.scenario ?? scenarioSchema.parse({}),
    fleet: options.fleet,
    replay: options.replay,
  });
  const log = options.logger;

  const handle = (req: Request, res: Response): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = MODEL_ROUTE.exec(path);
    if (route !== null) state.stats.recordTransport(req.httpVersion);
    const work =
      req.method === 'POST' && route?.[1] !== undefined
        ? handleModelCall(req, res, { modelId: decodeURIComponent(route[1]), stream: route[2] === 'converse-stream', state })
        : path.startsWith(CONTROL_PREFIX)
          ? handleControl(req, res, path, state)
          : Promise.resolve(sendException(res, 404, 'UnknownOperationException', `No operation at ${req.method} ${path}`));
    work.catch((error: unknown) => {
      log?.error({ err: error, path }, 'emulator request failed');
      try {
        sendException(res, 500, 'InternalServerException', 'The emulator failed while answering.');
      } catch {
        // Headers were already sent; the client sees a broken response.
      }
    });
  };

  const http1 = createHttp1Server({ keepAliveTimeout: 65_000 }, handle);
  const http2 = createHttp2Server({ settings: { maxConcurrentStreams: 1000 } }, handle);
  const sockets = new Set<Socket>();

  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 3) return;
      socket.removeListener('data', onData);
      socket.pause();
      socket.unshift(head);
      const isH2 = head.subarray(0, 3).equals(H2_PREFACE.subarray(0, 3));
      (isH2 ? http2 : http1).emit('connection', socket);
      process.nextTick(() => socket.resume());
    };
    socket.on('data', onData);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log?.info({ port: address.port }, 'emulator listening');

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    state,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      http1.closeAllConnections();
      await closed;
    },
  };
}
