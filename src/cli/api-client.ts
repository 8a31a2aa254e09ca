import { asBatchReceiptView, asBatchStatusView, type BatchReceiptView, type BatchStatusView } from '../queue/batches/batch-views.js';
import { CliError, EXIT, networkReason } from './cli-error.js';
import { tagsToQuery } from './parse-tag.js';
import { BATCH_DEFAULT_FIELDS, type BatchDefaultField } from '../queue/batches/batch-default-fields.js';

export type ResultOrder = 'input' | 'finished';

/** Fields every document of a batch gets unless it sets its own. */
export type BatchDefaults = Partial<Record<BatchDefaultField, string>> & { tags?: Record<string, string> };

export interface ApiClientOptions {
  /** The API's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  key: string;
  fetch?: typeof fetch;
  /** Time limit of the short calls (not of uploads and result streams). */
  timeoutMs?: number;
}

/** The fleet's HTTP API as the CLI uses it; every failure is a CliError whose one-line message says what to do. */
export interface ApiClient {
  readonly url: string;
  /** `POST /v1/batches` with an NDJSON body streamed as it is produced; a 422 (all-or-nothing refused) is a receipt too. */
  submitBatch(options: {
    defaults: BatchDefaults;
    batchId?: string;
    allOrNothing: boolean;
    body: AsyncIterable<Uint8Array>;
  }): Promise<BatchReceiptView>;
  getBatch(id: string): Promise<BatchStatusView>;
  /** The NDJSON body of `GET /v1/batches/:id/results`, streamed. */
  batchResults(id: string, order: ResultOrder): Promise<ReadableStream<Uint8Array>>;
}

interface ErrorBody {
  code?: string;
  message?: string;
  field?: string;
}

const UNREACHABLE_HINT = 'start it with "fleet up" or set FLEET_API_URL';

/** Checks and normalizes the base URL (a trailing slash, so relative paths keep any prefix). */
export function apiBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`expected the API's URL like http://127.0.0.1:8080, got "${url}" (--api or FLEET_API_URL)`, EXIT.usage);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`expected an http or https URL for the API, got "${url}" (--api or FLEET_API_URL)`, EXIT.usage);
  }
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  parsed.search = '';
  parsed.hash = '';
  return parsed;
}

/** The one-line error for an answer that is not a success, with the exit code it deserves. */
export function apiFailure(status: number, text: string, where: { url: string; batchId?: string }): CliError {
  const parsed = parseJson(text);
  const body: ErrorBody =
    typeof parsed === 'object' && parsed !== null ? parsed : { message: text.replace(/\s+/g, ' ').trim().slice(0, 120) };
  const message = `${body.field === undefined ? '' : `${body.field}: `}${body.message ?? '(no message)'}`;
  const code = body.code === undefined ? `HTTP ${status}` : `${status} ${body.code}`;
  if (status === 401 || status === 403) {
    return new CliError(
      `the API at ${where.url} refused the key (${code}: ${message}); set FLEET_API_KEY to a key from its FLEET_API_KEYS ("fleet up" prints one)`,
      EXIT.usage,
    );
  }
  if (status === 404 && where.batchId !== undefined && !(body.message ?? '').startsWith('no route')) {
    return new CliError(`no batch "${where.batchId}" at ${where.url} for this API key's tenant; check the id that "fleet enqueue" printed`, EXIT.notFound);
  }
  if (status === 404) return new CliError(`the API at ${where.url} has no such route (${message}); is it the fleet API's base URL?`, EXIT.usage);
  if (status === 409) return new CliError(`${message}; pick another --batch-id`, EXIT.failed);
  if (status === 413) return new CliError(`the API refused the upload (${code}): ${message}`, EXIT.failed);
  if (status === 429) return new CliError(`the API rate-limited this key (${code}): ${message}`, EXIT.failed);
  if (status >= 400 && status < 500) return new CliError(`the API refused the request (${code}): ${message}`, EXIT.usage);
  return new CliError(`the API at ${where.url} failed (${code}): ${message}; see its logs`, EXIT.failed);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A CliError raised while producing the request body (a document that cannot be read), if that is what failed. */
function bodyError(error: unknown): CliError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth += 1, e = e.cause) {
    if (e instanceof CliError) return e;
  }
  return undefined;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = apiBaseUrl(options.url);
  const shown = base.toString().replace(/\/$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const headers = { authorization: `Bearer ${options.key}`, 'user-agent': 'fleet-cli' };

  async function call(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(new URL(path, base), init);
    } catch (error) {
      throw bodyError(error) ?? new CliError(`cannot reach the API at ${shown}: ${networkReason(error)}; ${UNREACHABLE_HINT}`, EXIT.failed);
    }
    return response;
  }

  async function json(response: Response): Promise<unknown> {
    try {
      return await response.json();
    } catch (error) {
      throw new CliError(`the API at ${shown} sent an answer that is not JSON (${networkReason(error)}); is it the fleet API?`, EXIT.failed);
    }
  }

  const batchPath = (id: string): string => `v1/batches/${encodeURIComponent(id)}`;

  return {
    url: shown,

    async submitBatch({ defaults, batchId, allOrNothing, body }) {
      const query = new URLSearchParams();
      for (const field of BATCH_DEFAULT_FIELDS) {
        const value = defaults[field];
        if (value !== undefined) query.set(field, value);
      }
      if (defaults.tags !== undefined) tagsToQuery(defaults.tags, query);
      if (batchId !== undefined) query.set('id', batchId);
      if (allOrNothing) query.set('allOrNothing', 'true');
      const response = await call(`v1/batches?${query.toString()}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
        body,
        duplex: 'half',
      });
      if (response.status === 202 || response.status === 200) return asBatchReceiptView(await json(response));
      const text = await response.text();
      if (response.status === 422) {
        const parsed = parseJson(text) as { code?: string } | undefined;
        if (parsed?.code === 'batch_refused') return asBatchReceiptView({ enqueued: false, ...parsed });
      }
      throw apiFailure(response.status, text, { url: shown });
    },

    async getBatch(id) {
      const response = await call(batchPath(id), { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw apiFailure(response.status, await response.text(), { url: shown, batchId: id });
      try {
        return asBatchStatusView(await json(response));
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(`the API at ${shown} sent an unexpected answer: ${error instanceof Error ? error.message : String(error)}`);
      }
    },

    async batchResults(id, order) {
      const response = await call(`${batchPath(id)}/results?order=${order}`, { headers });
      if (!response.ok) throw apiFailure(response.status, await response.text(), { url: shown, batchId: id });
      if (response.body === null) throw new CliError(`the API at ${shown} sent no results body`);
      return response.body;
    },
  };
}
