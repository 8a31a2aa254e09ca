import type { ErrorKind } from '../core/error-kind.js';
import { ModelCallError } from '../core/model-call-error.js';
import { redactAwsIdentity } from '../core/redact-aws-identity.js';
import { redactNetworkAddress, type NetworkErrorFields } from '../core/redact-network-address.js';

export interface ClassifyContext {
  modelId: string;
  /** The failure arrived from inside a stream that had already started. */
  midStream?: boolean;
  /** The fleet's own per-call timeout fired. */
  timedOut?: boolean;
  /** The caller cancelled the call. */
  cancelled?: boolean;
}

const KIND_BY_EXCEPTION: Readonly<Record<string, ErrorKind>> = {
  ThrottlingException: 'throttled',
  ModelNotReadyException: 'throttled',
  ServiceQuotaExceededException: 'throttled',
  TooManyRequestsException: 'throttled',
  ServiceUnavailableException: 'transient',
  InternalServerException: 'transient',
  ModelTimeoutException: 'transient',
  ModelErrorException: 'transient',
  ModelStreamErrorException: 'transient',
  AccessDeniedException: 'model-unavailable',
  ResourceNotFoundException: 'model-unavailable',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_INVALID_SESSION',
]);

/**
 * Bedrock's wording when the input does not fit the model's window; Nova's
 * "Input Tokens Exceeded: Number of input tokens exceeds maximum length"
 * (also mid-stream) and Anthropic's "too many total text bytes" among them.
 */
const CONTEXT_WINDOW =
  /too long|context (window|length)|maximum context|input length|prompt is too long|exceeds? the max|input tokens exceeded|number of input tokens exceeds|too many total text bytes/i;

/**
 * ValidationExceptions about the model rather than the request: another
 * model of the tier may take the same request. An invalid model id, a model
 * that needs an inference profile for on-demand calls, a feature the model
 * lacks ("This model doesn't support system messages", "... tool use in
 * streaming mode"), maxTokens above the model's output limit.
 */
const MODEL_DEPENDENT =
  /provided model identifier is invalid|with on-demand throughput isn.t supported|model (?:does not|doesn.t) support|exceeds the model limit/i;

/**
 * Bedrock's refusals of the credentials themselves (expired, unknown, badly
 * signed, missing), not of the model: every call with them fails alike.
 */
const CREDENTIAL_FAILURES = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

function kindByStatus(status: number): ErrorKind {
  if (status === 429) return 'throttled';
  if (status === 403 || status === 404) return 'model-unavailable';
  if (status === 408 || status === 424 || status >= 500) return 'transient';
  return 'invalid-request';
}

interface ErrorFacts {
  name: string;
  message: string;
  status: number | undefined;
  code: string | undefined;
  requestId: string | undefined;
}

function factsOf(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) {
    return { name: 'UnknownError', message: String(error), status: undefined, code: undefined, requestId: undefined };
  }
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  };
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    // Tenants read it on their jobs' attempts: not the fleet's account and role.
    message: typeof e.message === 'string' ? redactAwsIdentity(e.message) : '',
    status: typeof status === 'number' ? status : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
    requestId: typeof requestId === 'string' ? requestId : undefined,
  };
}

/** The address, host, port and code a Node system or TLS error gives. */
function networkFields(error: unknown): NetworkErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as { address?: unknown; port?: unknown; hostname?: unknown; host?: unknown; code?: unknown };
  return {
    ...(typeof e.address === 'string' ? { address: e.address } : {}),
    ...(typeof e.port === 'number' || typeof e.port === 'string' ? { port: e.port } : {}),
    ...(typeof e.hostname === 'string' ? { hostname: e.hostname } : {}),
    ...(typeof e.host === 'string' ? { host: e.host } : {}),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
  };
}

/**
 * Turns whatever a Converse call threw (an SDK service exception, a mid-stream
 * exception event, a network or abort error) into a ModelCallError with a
 * core error kind. The one place raw SDK errors are read.
 */
export function classifyConverseError(error: unknown, context: ClassifyContext): ModelCallError {
  if (error instanceof ModelCallError) return error;
  const facts = factsOf(error);
  const base = {
    modelId: context.modelId,
    midStream: context.midStream ?? false,
    httpStatus: facts.status,
    requestId: facts.requestId,
    cause: error,
  };

  if (context.cancelled === true) {
    return new ModelCallError({ ...base, kind: 'cancelled', code: 'Cancelled', message: 'the call was cancelled' });
  }
  if (context.timedOut === true) {
    return new ModelCallError({
      ...base,
      kind: 'transient',
      code: 'CallTimeout',
      message: 'the call ran past its time limit and was aborted',
    });
  }

  if (CREDENTIAL_FAILURES.has(facts.name)) {
    // Kept `model-unavailable` (403, like AccessDeniedException), but said plainly: no model will take these credentials.
    return new ModelCallError({
      ...base,
      kind: 'model-unavailable',
      code: facts.name,
      message: `the AWS credentials were refused (${facts.name}): ${facts.message === '' ? facts.name : facts.message}; check the credentials the fleet runs with`,
    });
  }

  let kind = KIND_BY_EXCEPTION[facts.name];
  if (facts.name === 'ValidationException') {
    kind = MODEL_DEPENDENT.test(facts.message)
      ? 'model-unavailable'
      : CONTEXT_WINDOW.test(facts.message)
        ? 'context-window'
        : 'invalid-request';
  }
  if (kind === undefined && facts.status !== undefined && facts.status >= 400) kind = kindByStatus(facts.status);
  // Neither a Bedrock exception nor an HTTP answer: a network error, a timeout, or another connection-level failure.
  const connectionLevel = kind === undefined && facts.status === undefined;
  if (kind === undefined && facts.code !== undefined && NETWORK_CODES.has(facts.code)) kind = 'transient';
  if (kind === undefined && (facts.name === 'TimeoutError' || facts.name === 'AbortError')) kind = 'transient';
  // A success the SDK could not read (cut short, or not Bedrock's JSON: a proxy's page, say): nothing wrong with the request.
  const unreadable = kind === undefined && facts.status !== undefined && facts.status < 400;
  // Anything else without an HTTP answer is a connection-level failure.
  kind ??= facts.status === undefined || unreadable ? 'transient' : 'invalid-request';
  // Tenants read it on their jobs' attempts: a connection failure's code, not the address of the endpoint the fleet calls;
  // of an unreadable answer, not the parser's quote of it (a piece of the answer, which is not logged).
  const message = connectionLevel
    ? redactNetworkAddress(facts.message, networkFields(error))
    : unreadable
      ? `the answer (HTTP ${String(facts.status)}) could not be read (${facts.name}); it is retried`
      : facts.message;

  return new ModelCallError({
    ...base,
    kind,
    code: facts.name === 'Error' && facts.code !== undefined ? facts.code : facts.name,
    message: message === '' ? facts.name : message,
  });
}
