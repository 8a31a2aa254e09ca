import { describe, expect, it } from 'vitest';
import { apiBaseUrl, apiFailure, createApiClient } from '../../../src/cli/api-client.js';
import { formatBatchStatus } from '../../../src/cli/batch-status-bars.js';
import type { BatchStatusView } from '../../../src/queue/batches/batch-views.js';
import { CliError, networkReason, redactUrl } from '../../../src/cli/cli-error.js';
import { statusExitCode } from '../../../src/cli/status-command.js';

const where = { url: 'http://127.0.0.1:8080' };

describe('apiFailure: one line and an exit code per answer', () => {
  it('names the key problem as a configuration error (2)', () => {
    const error = apiFailure(401, JSON.stringify({ code: 'unauthorized', message: 'unknown API key', field: 'authorization' }), where);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'the API at http://127.0.0.1:8080 refused the key (401 unauthorized: authorization: unknown API key); set FLEET_API_KEY to a key from its FLEET_API_KEYS ("fleet up" prints one)',
    );
  });

  it('tells a missing batch (4) from a missing route (2)', () => {
    expect(apiFailure(404, JSON.stringify({ code: 'not_found', message: 'no batch "b"' }), { ...where, batchId: 'b' }).exitCode).toBe(4);
    const route = apiFailure(404, JSON.stringify({ code: 'not_found', message: 'no route GET /x' }), { ...where, batchId: 'b' });
    expect(route.exitCode).toBe(2);
    expect(route.message).toMatch(/is it the fleet API's base URL\?/);
  });

  it('maps conflicts, rate limits and server errors to 1, other refusals to 2', () => {
    expect(apiFailure(409, JSON.stringify({ code: 'conflict', message: 'batch id "x" is in use' }), where).message).toBe(
      'batch id "x" is in use; pick another --batch-id',
    );
    expect(apiFailure(429, JSON.stringify({ code: 'rate_limited', message: 'slow down' }), where).exitCode).toBe(1);
    const server = apiFailure(500, JSON.stringify({ code: 'internal', message: 'boom' }), where);
    expect([server.exitCode, server.message]).toEqual([1, 'the API at http://127.0.0.1:8080 failed (500 internal): boom; see its logs']);
    expect(apiFailure(400, JSON.stringify({ code: 'invalid_request', message: 'bad', field: 'id' }), where).exitCode).toBe(2);
  });

  it('copes with answers that are not JSON', () => {
    const error = apiFailure(502, '<html>\n<body>Bad gateway</body>\n</html>', where);
    expect(error.message).toBe('the API at http://127.0.0.1:8080 failed (HTTP 502): <html> <body>Bad gateway</body> </html>; see its logs');
    expect(error.message).not.toContain('\n');
  });
});

describe('apiBaseUrl', () => {
  it('keeps a path prefix and refuses what is not an http URL', () => {
    expect(new URL('v1/batches', apiBaseUrl('http://h:1/fleet')).toString()).toBe('http://h:1/fleet/v1/batches');
    expect(new URL('v1/batches', apiBaseUrl('https://h/')).toString()).toBe('https://h/v1/batches');
    expect(() => apiBaseUrl('localhost:8080')).toThrow(CliError);
    expect(() => apiBaseUrl('nonsense')).toThrow(/expected the API's URL like http:\/\/127\.0\.0\.1:8080/);
  });
});

describe('the API client over a failing network', () => {
  it('says the API cannot be reached and how to start it', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const client = createApiClient({ url: 'http://127.0.0.1:9', key: 'k', fetch: () => Promise.reject(refused) });
    await expect(client.getBatch('b')).rejects.toThrow(
      'cannot reach the API at http://127.0.0.1:9: connection refused; start it with "fleet up" or set FLEET_API_URL',
    );
  });

  it('turns a 422 batch_refused into a receipt that says nothing was enqueued', async () => {
    const body = { code: 'batch_refused', message: '1 refused', batchId: 'b1', created: true, accepted: 1, duplicates: 0, refusedCount: 1, refused: [{ index: 1, message: 'x' }] };
    const client = createApiClient({ url: 'http://h:1', key: 'k', fetch: () => Promise.resolve(new Response(JSON.stringify(body), { status: 422 })) });
    const receipt = await client.submitBatch({ defaults: { tags: { a: 'b' } }, allOrNothing: true, body: (async function* () {})() });
    expect(receipt).toMatchObject({ batchId: 'b1', enqueued: false, refusedCount: 1 });
  });
});

describe('networkReason and redactUrl', () => {
  it('names common network failures', () => {
    expect(networkReason(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe('no such host');
    expect(networkReason(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe('connection refused');
  });

  it('masks passwords', () => {
    expect(redactUrl('redis://user:secret@h:6379')).toBe('redis://user:***@h:6379');
    expect(redactUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
  });
});

describe('batch status', () => {
  const view = (over: Partial<BatchStatusView>): BatchStatusView => ({
    id: 'b1',
    status: 'finished',
    createdAt: 0,
    total: 3,
    refused: 0,
    counts: { completed: 3, failed: 0, pending: 0 },
    byTier: { small: 2, large: 1 },
    progress: 1,
    costUsd: 0.00125,
    ...over,
  });

  it('exits 0 finished, 1 with failures or nothing run, 3 still running', () => {
    expect(statusExitCode(view({}))).toBe(0);
    expect(statusExitCode(view({ counts: { completed: 2, failed: 1, pending: 0 } }))).toBe(1);
    expect(statusExitCode(view({ total: 0, refused: 2, counts: { completed: 0, failed: 0, pending: 0 } }))).toBe(1);
    expect(statusExitCode(view({ status: 'open' }))).toBe(3);
    expect(statusExitCode(view({ status: 'enqueueing' }))).toBe(3);
    // Its submission stopped part-way: it never finishes until sent again.
    expect(statusExitCode(view({ status: 'interrupted' }))).toBe(1);
  });

  it('fits on one line', () => {
    expect(formatBatchStatus(view({ refused: 1 }))).toBe(
      'batch b1: finished, 3/3 done (3 completed, 0 failed, 0 pending; 1 refused) | by tier: small 2, large 1 | $0.001250',
    );
  });
});
