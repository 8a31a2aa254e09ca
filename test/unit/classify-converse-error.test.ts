import {
  AccessDeniedException,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  BedrockRuntimeServiceException,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { classifyConverseError } from '../../src/converse/classify-converse-error.js';
import { allowsNextModel, ERROR_KINDS, isRetryableKind, tripsBreaker, type ErrorKind } from '../../src/core/error-kind.js';
import { ModelCallError } from '../../src/core/model-call-error.js';

const MODEL = 'amazon.nova-micro-v1:0';
const ctx = { modelId: MODEL };

const meta = (httpStatusCode: number, requestId = 'req-1') => ({ $metadata: { httpStatusCode, requestId } });

/** Every SDK exception with the HTTP status Bedrock sends and the kind ARCHITECTURE.md assigns. */
const SDK_CASES: [string, () => BedrockRuntimeServiceException, number, ErrorKind][] = [
  ['ThrottlingException', () => new ThrottlingException({ message: 'Too many requests', ...meta(429) }), 429, 'throttled'],
  ['ModelNotReadyException', () => new ModelNotReadyException({ message: 'not ready', ...meta(429) }), 429, 'throttled'],
  ['ServiceQuotaExceededException', () => new ServiceQuotaExceededException({ message: 'quota', ...meta(400) }), 400, 'throttled'],
  ['ServiceUnavailableException', () => new ServiceUnavailableException({ message: 'unavailable', ...meta(503) }), 503, 'transient'],
  ['InternalServerException', () => new InternalServerException({ message: 'oops', ...meta(500) }), 500, 'transient'],
  ['ModelTimeoutException', () => new ModelTimeoutException({ message: 'slow', ...meta(408) }), 408, 'transient'],
  ['ModelErrorException', () => new ModelErrorException({ message: 'model failed', originalStatusCode: 500, resourceName: MODEL, ...meta(424) }), 424, 'transient'],
  ['ModelStreamErrorException', () => new ModelStreamErrorException({ message: 'stream broke', originalStatusCode: 500, originalMessage: 'x', ...meta(424) }), 424, 'transient'],
  ['ValidationException', () => new ValidationException({ message: 'Malformed input request: #: extraneous key [foo]', ...meta(400) }), 400, 'invalid-request'],
  ['AccessDeniedException', () => new AccessDeniedException({ message: "You don't have access to the model", ...meta(403) }), 403, 'model-unavailable'],
  ['ResourceNotFoundException', () => new ResourceNotFoundException({ message: 'Model not found', ...meta(404) }), 404, 'model-unavailable'],
];

describe('classifyConverseError: Bedrock SDK exceptions', () => {
  it.each(SDK_CASES)('%s → %s', (name, make, status, kind) => {
    const raw = make();
    expect(raw.name).toBe(name);
    const error = classifyConverseError(raw, ctx);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({
      kind,
      code: name,
      modelId: MODEL,
      httpStatus: status,
      requestId: 'req-1',
      midStream: false,
      message: raw.message,
    });
    expect(error.cause).toBe(raw);
    expect(error.isRetryable).toBe(isRetryableKind(kind));
  });

  it.each([
    'Input is too long for requested model.',
    'prompt is too long: 201000 tokens > 200000 maximum',
    "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
    'input length and `max_tokens` exceed context limit: 190000 + 20000 > 200000',
    'Input Tokens Exceeded: Number of input tokens exceeds maximum length. Please update the request and try again.',
    'messages: too many total text bytes: 9663677 > 9000000',
  ])('ValidationException "%s" → context-window', (message) => {
    const error = classifyConverseError(new ValidationException({ message, ...meta(400) }), ctx);
    expect(error.kind).toBe('context-window');
    expect(error.code).toBe('ValidationException');
    expect(error.message).toBe(message);
  });

  it("Nova's input-tokens wording arriving mid-stream (a validationException frame, no HTTP status) → context-window", () => {
    const message = 'Input Tokens Exceeded: Number of input tokens exceeds maximum length. Please update the request and try again.';
    const error = classifyConverseError(new ValidationException({ message, $metadata: {} }), { ...ctx, midStream: true });
    expect(error).toMatchObject({ kind: 'context-window', code: 'ValidationException', midStream: true, httpStatus: undefined });
  });

  it.each([
    'A conversation must start with a user message.',
    "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint",
    'The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try again.',
  ])('ValidationException "%s" → invalid-request', (message) => {
    expect(classifyConverseError(new ValidationException({ message, ...meta(400) }), ctx).kind).toBe('invalid-request');
  });

  it.each([
    'The provided model identifier is invalid.',
    "Invocation of model ID anthropic.claude-sonnet-4-5-20250929-v1:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
    'Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with on-demand throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference profile that contains this model.',
    "This model doesn't support system messages. Try again without a system message or use a model that supports system messages.",
    "This model doesn't support tool use in streaming mode.",
    'The maximum tokens you requested exceeds the model limit of 8192. Try again with a maximum tokens value that is lower than 8192.',
  ])('ValidationException "%s" depends on the model → model-unavailable, so the next model may try', (message) => {
    const error = classifyConverseError(new ValidationException({ message, ...meta(400) }), ctx);
    expect(error).toMatchObject({ kind: 'model-unavailable', code: 'ValidationException', httpStatus: 400, message });
    expect(allowsNextModel(error.kind)).toBe(true);
    expect(tripsBreaker(error.kind)).toBe(false);
  });

  it('goes by the exception name before the status', () => {
    const error = classifyConverseError(new ThrottlingException({ message: 'slow down', ...meta(400) }), ctx);
    expect(error.kind).toBe('throttled');
    expect(error.httpStatus).toBe(400);
  });
});

describe('classifyConverseError: refused credentials', () => {
  /** How the SDK throws an error type its model does not know: the service's base class, named by x-amzn-errortype. */
  const unmodeled = (name: string, message: string) =>
    new BedrockRuntimeServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 403, requestId: 'r3' } });

  it.each([
    ['ExpiredTokenException', 'The security token included in the request is expired'],
    ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
    [
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    ],
  ])('%s is model-unavailable, and the message says the credentials were refused', (name, message) => {
    const error = classifyConverseError(unmodeled(name, message), ctx);
    expect(error).toMatchObject({ kind: 'model-unavailable', code: name, httpStatus: 403, requestId: 'r3' });
    expect(error.message).toMatch(/credentials were refused/);
    expect(error.message).toContain(name);
    expect(error.message).toContain(message);
  });

  it('an AccessDeniedException keeps its own message: access to one model is not a credentials problem', () => {
    const error = classifyConverseError(new AccessDeniedException({ message: "You don't have access to the model", ...meta(403) }), ctx);
    expect(error.message).toBe("You don't have access to the model");
  });

  it("keeps the fleet's AWS account and role out of the message a tenant reads; what was refused stays", () => {
    const message =
      'User: arn:aws:sts::123456789012:assumed-role/fleet-worker-role/i-0abc123 is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0 because no identity-based policy allows the bedrock:InvokeModel action';
    const error = classifyConverseError(new AccessDeniedException({ message, ...meta(403) }), ctx);
    expect(error.message).toBe(
      "User: the fleet's AWS identity is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1:<account>:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0 because no identity-based policy allows the bedrock:InvokeModel action",
    );
    expect(error.message).not.toMatch(/123456789012|fleet-worker-role/);
    // A foundation model's ARN names no account: left as it is.
    const foundation = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0';
    expect(classifyConverseError(new AccessDeniedException({ message: `no access to ${foundation}`, ...meta(403) }), ctx).message).toBe(`no access to ${foundation}`);
  });
});

describe('classifyConverseError: network and timeout errors', () => {
  const withCode = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:4010`), { code });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'ERR_HTTP2_STREAM_ERROR'])(
    'an Error with code %s is transient, coded by its errno',
    (code) => {
      const error = classifyConverseError(withCode(code), ctx);
      expect(error).toMatchObject({ kind: 'transient', code, httpStatus: undefined, requestId: undefined });
      expect(error.message).toContain(code);
    },
  );

  it.each([
    ['connect ECONNREFUSED 10.0.3.7:443', {}, 'connect ECONNREFUSED <address>'],
    ['connect ECONNREFUSED ::1:4010', {}, 'connect ECONNREFUSED <address>'],
    ['connect EHOSTUNREACH [fd00:ec2::254]:443', {}, 'connect EHOSTUNREACH <address>'],
    ['getaddrinfo ENOTFOUND bedrock-runtime.us-east-1.amazonaws.com', {}, 'getaddrinfo ENOTFOUND <address>'],
    ['getaddrinfo EAI_AGAIN bedrock-proxy', {}, 'getaddrinfo EAI_AGAIN <address>'],
    ['socket hang up', {}, 'socket hang up'],
    // The address the error carries, wherever the message puts it.
    ['Client network socket disconnected before secure TLS connection was established to emulator:4010', { hostname: 'emulator', port: 4010 }, 'Client network socket disconnected before secure TLS connection was established to <address>'],
    ['request to fe80::1%eth0 port 443 failed', { address: 'fe80::1%eth0', port: 443 }, 'request to <address> port 443 failed'],
    // A TLS failure names hosts and certificate names all through: its code stands for it.
    [
      "Hostname/IP does not match certificate's altnames: Host: bedrock-proxy.corp.internal. is not in the cert's altnames: DNS:proxy.example.com",
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID', host: 'bedrock-proxy.corp.internal' },
      'the TLS connection to the endpoint failed (ERR_TLS_CERT_ALTNAME_INVALID)',
    ],
    // The address alone, not a longer one that starts the same.
    ['connect to 10.0.3.7 failed; 10.0.3.71 answered', { address: '10.0.3.7' }, 'connect to <address> failed; 10.0.3.71 answered'],
    // Nothing else: a model id, a time, a version.
    ['amazon.nova-micro-v1:0 stopped at 12:34:56 (client 1.2.3)', {}, 'amazon.nova-micro-v1:0 stopped at 12:34:56 (client 1.2.3)'],
  ] as [string, Record<string, unknown>, string][])('tells tenants a connection failure without the endpoint’s address: %s', (raw, fields, shown) => {
    const error = classifyConverseError(Object.assign(new Error(raw), { code: raw.split(' ')[1], ...fields }), ctx);
    expect(error.message).toBe(shown);
    expect(error.kind).toBe('transient');
  });

  it('leaves the text of an HTTP answer or a Bedrock exception as it is (a model id or version names no address)', () => {
    const raw = { name: 'SomethingNew', message: 'model amazon.nova-micro-v1:0 at version 1.2.3.4 failed', $metadata: { httpStatusCode: 503 } };
    expect(classifyConverseError(raw, ctx).message).toBe('model amazon.nova-micro-v1:0 at version 1.2.3.4 failed');
    // A mid-stream exception event has no HTTP status of its own.
    const midStream = { name: 'ModelStreamErrorException', message: 'amazon.nova-micro-v1:0 stopped streaming' };
    expect(classifyConverseError(midStream, { ...ctx, midStream: true }).message).toBe('amazon.nova-micro-v1:0 stopped streaming');
  });

  it.each(['TimeoutError', 'AbortError'])('an error named %s is transient', (name) => {
    const raw = Object.assign(new Error('timed out'), { name });
    expect(classifyConverseError(raw, ctx)).toMatchObject({ kind: 'transient', code: name });
  });

  it('anything thrown without an HTTP answer is a transient, connection-level failure', () => {
    expect(classifyConverseError(new Error('socket hang up'), ctx)).toMatchObject({ kind: 'transient', code: 'Error' });
    expect(classifyConverseError('boom', ctx)).toMatchObject({ kind: 'transient', code: 'UnknownError', message: 'boom' });
    expect(classifyConverseError(undefined, ctx).kind).toBe('transient');
  });
});

describe('classifyConverseError: unknown exceptions with only an HTTP status', () => {
  it.each([
    [503, 'transient'],
    [500, 'transient'],
    [408, 'transient'],
    [424, 'transient'],
    [429, 'throttled'],
    [400, 'invalid-request'],
    [403, 'model-unavailable'],
    [404, 'model-unavailable'],
  ] as [number, ErrorKind][])('status %i → %s', (status, kind) => {
    const raw = { name: 'SomethingNew', message: 'a new kind of failure', $metadata: { httpStatusCode: status, requestId: 'r9' } };
    expect(classifyConverseError(raw, ctx)).toMatchObject({
      kind,
      code: 'SomethingNew',
      httpStatus: status,
      requestId: 'r9',
      message: 'a new kind of failure',
    });
  });

  it('uses the name as the message when there is none', () => {
    expect(classifyConverseError({ name: 'SomethingNew', $metadata: { httpStatusCode: 503 } }, ctx).message).toBe('SomethingNew');
  });

  it("a success the SDK could not read is transient, and its message quotes none of the answer", () => {
    // What the SDK throws for a 200 whose body is not Bedrock's JSON (its deserializer adds the hint and the status).
    const raw = Object.assign(new SyntaxError('Unexpected token \'<\', "<html>the answer was: secret</html>" is not valid JSON\n  Deserialization error: …'), {
      $metadata: { httpStatusCode: 200, requestId: 'r10' },
    });
    const error = classifyConverseError(raw, ctx);
    expect(error).toMatchObject({ kind: 'transient', code: 'SyntaxError', httpStatus: 200, requestId: 'r10' });
    expect(error.message).toBe('the answer (HTTP 200) could not be read (SyntaxError); it is retried');
  });
});

describe('classifyConverseError: context', () => {
  const throttled = () => new ThrottlingException({ message: 'Too many requests', ...meta(429, 'r2') });

  it('a cancelled call is "cancelled" whatever the error was', () => {
    const error = classifyConverseError(throttled(), { ...ctx, cancelled: true });
    expect(error).toMatchObject({ kind: 'cancelled', code: 'Cancelled', requestId: 'r2' });
    expect(error.isRetryable).toBe(false);
  });

  it('a call past the fleet time limit is transient with code CallTimeout', () => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    const error = classifyConverseError(abort, { ...ctx, timedOut: true });
    expect(error).toMatchObject({ kind: 'transient', code: 'CallTimeout' });
    expect(error.message).toMatch(/time limit/);
    expect(error.cause).toBe(abort);
  });

  it('cancelled wins over timedOut', () => {
    expect(classifyConverseError(new Error('x'), { ...ctx, cancelled: true, timedOut: true }).kind).toBe('cancelled');
  });

  it('carries the midStream flag', () => {
    expect(classifyConverseError(throttled(), { ...ctx, midStream: true }).midStream).toBe(true);
    expect(classifyConverseError(throttled(), { ...ctx, midStream: false }).midStream).toBe(false);
  });

  it('carries the request id and HTTP status into toJSON', () => {
    expect(classifyConverseError(throttled(), { ...ctx, midStream: true }).toJSON()).toEqual({
      kind: 'throttled',
      code: 'ThrottlingException',
      message: 'Too many requests',
      modelId: MODEL,
      httpStatus: 429,
      midStream: true,
      requestId: 'r2',
    });
  });

  it('passes an existing ModelCallError through unchanged', () => {
    const existing = new ModelCallError({ kind: 'context-window', message: 'too long', modelId: 'other.model-v1:0', code: 'X' });
    expect(classifyConverseError(existing, { ...ctx, cancelled: true, midStream: true })).toBe(existing);
  });
});

describe('error kinds', () => {
  const table: Record<ErrorKind, { retry: boolean; breaker: boolean; nextModel: boolean }> = {
    throttled: { retry: true, breaker: false, nextModel: true },
    transient: { retry: true, breaker: true, nextModel: true },
    'context-window': { retry: false, breaker: false, nextModel: false },
    'invalid-request': { retry: false, breaker: false, nextModel: false },
    'model-unavailable': { retry: false, breaker: false, nextModel: true },
    cancelled: { retry: false, breaker: false, nextModel: false },
  };

  it('the table covers every kind', () => {
    expect(Object.keys(table).sort()).toEqual([...ERROR_KINDS].sort());
  });

  it.each(ERROR_KINDS)('%s: retry, breaker and next-model match ARCHITECTURE.md', (kind) => {
    expect({ retry: isRetryableKind(kind), breaker: tripsBreaker(kind), nextModel: allowsNextModel(kind) }).toEqual(table[kind]);
  });
});
