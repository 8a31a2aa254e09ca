import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as sdk from '@aws-sdk/client-bedrock-runtime';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorKind } from '../../src/core/error-kind.js';
import { classifyConverseError } from '../../src/converse/classify-converse-error.js';
import { createBedrockModelClient } from '../../src/converse/bedrock-model-client.js';
import { createBedrockClient, EMULATOR_CREDENTIALS } from '../../src/converse/create-bedrock-client.js';
import { ModelCallError } from '../../src/core/model-call-error.js';
import type { ExceptionName } from '../../src/emulator/exceptions.js';
import { startHarness, TRANSPORTS, userText, type Harness } from '../helpers/emulator-harness.js';

const MODEL = 'amazon.nova-micro-v1:0';

/** Each Bedrock exception, the SDK class the client must throw, and the fleet's kind for it. */
const EXCEPTIONS: [ExceptionName, ErrorKind][] = [
  ['ThrottlingException', 'throttled'],
  ['ModelNotReadyException', 'throttled'],
  ['ServiceQuotaExceededException', 'throttled'],
  ['ServiceUnavailableException', 'transient'],
  ['InternalServerException', 'transient'],
  ['ModelTimeoutException', 'transient'],
  ['ModelErrorException', 'transient'],
  ['ValidationException', 'invalid-request'],
  ['AccessDeniedException', 'model-unavailable'],
  ['ResourceNotFoundException', 'model-unavailable'],
];

const sdkClass = (name: string): new (...args: never[]) => Error =>
  (sdk as unknown as Record<string, new (...args: never[]) => Error>)[name] as new (...args: never[]) => Error;

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe.each(TRANSPORTS)('Converse failures through the real SDK client over %s', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(transport);
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(EXCEPTIONS)('%s arrives as its SDK class and as kind %s, tried once', async (exception, kind) => {
    h.emulator.state.override(MODEL, { faults: { [exception]: 1 } });
    const raw = await caught(h.sdk.send(new ConverseCommand({ modelId: MODEL, messages: userText('hi') })));
    expect(raw).toBeInstanceOf(sdkClass(exception));

    const classified = await caught(h.models.converse({ modelId: MODEL, messages: userText('hi') }));
    expect(classified).toBeInstanceOf(ModelCallError);
    expect(classified).toMatchObject({ kind, code: exception, modelId: MODEL, midStream: false });

    // The SDK's own retry is off, so each call reached the model exactly once.
    expect(h.emulator.state.stats.snapshot().models[MODEL]?.outcomes).toEqual({ [exception]: 2 });
  });

  it('a throttle in the middle of a stream surfaces from the loop and is classified as throttled', async () => {
    h.emulator.state.override(MODEL, { midStreamFaults: { throttlingException: 1 } });

    const out = await h.sdk.send(new ConverseStreamCommand({ modelId: MODEL, messages: userText('hi') }));
    const deltas: string[] = [];
    const raw = await caught(
      (async () => {
        for await (const event of out.stream ?? []) {
          if (event.contentBlockDelta?.delta?.text !== undefined) deltas.push(event.contentBlockDelta.delta.text);
        }
      })(),
    );
    expect(deltas.length).toBeGreaterThan(0);
    expect(raw).toBeInstanceOf(sdk.ThrottlingException);

    const classified = await caught(h.models.converseStream({ modelId: MODEL, messages: userText('hi') }));
    expect(classified).toMatchObject({ kind: 'throttled', code: 'ThrottlingException', midStream: true });
    expect(h.emulator.state.stats.snapshot().models[MODEL]?.outcomes).toEqual({ 'midstream:throttlingException': 2 });
  });

  it('a model stream error mid-stream is transient', async () => {
    h.emulator.state.override(MODEL, { midStreamFaults: { modelStreamErrorException: 1 } });
    const error = await caught(h.models.converseStream({ modelId: MODEL, messages: userText('hi') }));
    expect(error).toMatchObject({ kind: 'transient', code: 'ModelStreamErrorException', midStream: true });
  });

  it('validates requests as Bedrock does', async () => {
    const bad = await caught(
      h.models.converse({ modelId: MODEL, messages: userText('hi'), inference: { temperature: 1.5 } }),
    );
    expect(bad).toMatchObject({ kind: 'invalid-request', code: 'ValidationException', httpStatus: 400 });
    expect((bad as Error).message).toContain('inferenceConfig.temperature');

    const assistantFirst = await caught(
      h.models.converse({ modelId: MODEL, messages: [{ role: 'assistant', content: [{ text: 'hello' }] }] }),
    );
    expect((assistantFirst as Error).message).toMatch(/must start with a user message/);

    const empty = await caught(h.models.converse({ modelId: MODEL, messages: [] }));
    expect(empty).toMatchObject({ kind: 'invalid-request' });
  });

  it('input beyond the model window is a context-window error', async () => {
    const mistral = 'mistral.mistral-7b-instruct-v0:2'; // 32,000 tokens in the default fleet
    const error = await caught(h.models.converse({ modelId: mistral, messages: userText('word '.repeat(30_000)) }));
    expect(error).toMatchObject({ kind: 'context-window', code: 'ValidationException' });
  });

  it('a body over the emulator\'s 32 MB limit is a ValidationException (400), not a server error to retry', async () => {
    const huge = 'x'.repeat(33 * 1024 * 1024);
    const error = await caught(h.models.converse({ modelId: MODEL, messages: userText(huge) }));
    expect(error).toMatchObject({ kind: 'invalid-request', code: 'ValidationException', httpStatus: 400 });
    expect((error as Error).message).toMatch(/over the 33554432-byte limit/);
    expect(h.emulator.state.stats.snapshot().models[MODEL]?.outcomes).toEqual({ ValidationException: 1 });
  });

  it('a system prompt to a model that takes none is refused as Bedrock does; the next model of the tier may try', async () => {
    const mistral = 'mistral.mixtral-8x7b-instruct-v0:1';
    const raw = await caught(
      h.sdk.send(new ConverseCommand({ modelId: mistral, system: [{ text: 'Be brief.' }], messages: userText('hi') })),
    );
    expect(raw).toBeInstanceOf(sdk.ValidationException);
    expect((raw as Error).message).toMatch(/^This model doesn't support system messages\./);
    expect(classifyConverseError(raw, { modelId: mistral }).kind).toBe('model-unavailable');

    // The fleet's adapter folds the system prompt into the message instead, so the call succeeds.
    const folded = await h.models.converse({ modelId: mistral, system: ['Be brief.'], messages: userText('hi') });
    expect(folded.stopReason).toBe('end_turn');
  });

  it('document bytes the SDK was handed as base64 text reach the model as the base64 of the base64, which is no PDF', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1').toString('base64');
    const block = { document: { format: 'pdf' as const, name: 'doc', source: { bytes: pdf as unknown as Uint8Array } } };
    const raw = await caught(h.sdk.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Read it.' }, block] }] })));
    expect(raw).toBeInstanceOf(sdk.ValidationException);
    expect((raw as Error).message).toMatch(/The PDF specified was not valid/);
  });

  it('a model the emulator does not serve is unavailable', async () => {
    const error = await caught(h.models.converse({ modelId: 'acme.unknown-v1:0', messages: userText('hi') }));
    expect(error).toMatchObject({ kind: 'model-unavailable', code: 'ResourceNotFoundException', httpStatus: 404 });
  });

  it('a call past its time limit is aborted as a transient timeout', async () => {
    h.emulator.state.override(MODEL, { latency: { baseMs: 5_000 } });
    const started = performance.now();
    const error = await caught(h.models.converse({ modelId: MODEL, messages: userText('hi') }, { timeoutMs: 150 }));
    expect(error).toMatchObject({ kind: 'transient', code: 'CallTimeout' });
    expect(performance.now() - started).toBeLessThan(2_000);

    const streamError = await caught(
      h.models.converseStream({ modelId: MODEL, messages: userText('hi') }, { timeoutMs: 150 }),
    );
    expect(streamError).toMatchObject({ kind: 'transient', code: 'CallTimeout' });
  });

  it('a slow stream is cut off by the time limit after it began', async () => {
    h.emulator.state.override(MODEL, { latency: { baseMs: 0, perOutputTokenMs: 200 } });
    const error = await caught(
      h.models.converseStream({ modelId: MODEL, messages: userText('hi') }, { timeoutMs: 300 }),
    );
    expect(error).toMatchObject({ kind: 'transient', code: 'CallTimeout', midStream: true });
  });

  it('a cancelled call stops at once and is not retryable', async () => {
    h.emulator.state.override(MODEL, { latency: { baseMs: 5_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = await caught(
      h.models.converse({ modelId: MODEL, messages: userText('hi') }, { signal: controller.signal, timeoutMs: 10_000 }),
    );
    expect(error).toMatchObject({ kind: 'cancelled', isRetryable: false });
    expect(performance.now() - started).toBeLessThan(2_000);
    // The emulator saw the caller hang up and stopped working on the answer.
    await vi.waitFor(() =>
      expect(h.emulator.state.stats.snapshot().models[MODEL]?.outcomes).toEqual({ 'client-gone': 1 }),
    );
  });
});

describe('the emulator checks the caller', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness('http1');
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers a request without SigV4 or Bearer authorization with 403 AccessDeniedException', async () => {
    const response = await fetch(`${h.emulator.url}/model/${encodeURIComponent(MODEL)}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: userText('hi') }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('Authorization') as unknown });
  });

  it('accepts a Bedrock API key sent as a Bearer token', async () => {
    const response = await fetch(`${h.emulator.url}/model/${encodeURIComponent(MODEL)}/converse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bedrock-api-key-abc' },
      body: JSON.stringify({ messages: userText('hi') }),
    });
    expect(response.status).toBe(200);
  });
});

describe('an answer Bedrock sent with success that cannot be read, through the real SDK client', () => {
  // Bodies no emulator would send: an answer cut short, a proxy's page, nothing at all.
  const BODIES = ['{"output":{"message":{"role":"assistant","content":[{"text":"Hel', '<html>Bad gateway</html>', ''];
  let server: Http2Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it.each(BODIES.map((body, i) => [['cut short', "a proxy's page", 'empty'][i], body]))('%s: transient (retried), not an empty answer or a bad request', async (_what, body) => {
    server = createHttp2Server((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'r-1' }).end(body));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createBedrockClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${String(port)}`, credentials: EMULATOR_CREDENTIALS });
    try {
      const models = createBedrockModelClient({ client, priceOf: () => ({ inputPer1k: 0.001, outputPer1k: 0.001 }) });
      const error = await caught(models.converse({ modelId: MODEL, messages: userText('hi') }));
      expect(error).toBeInstanceOf(ModelCallError);
      expect(error).toMatchObject({ kind: 'transient', httpStatus: 200, modelId: MODEL });
      expect((error as ModelCallError).message).not.toContain('Hel');
      expect((error as ModelCallError).message).not.toContain('Bad gateway');
    } finally {
      client.destroy();
    }
  });
});
