import type { FastifyError, FastifyInstance } from 'fastify';
import { BudgetExceededError } from '../core/budgets/budget-exceeded-error.js';
import { JobSpecError, type JobSpecProblem } from '../core/job/job-spec-error.js';

/** The one error shape of the API: a stable code, a message, and the offending field when there is one. */
export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
  /** Every problem, when a job had several. */
  problems?: JobSpecProblem[];
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_body' },
};

/** Maps every error a route or Fastify raises to the API's error shape and status. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler<FastifyError | Error>((error, request, reply) => {
    // Before JobSpecError, which it is: 402, not 400; retrying helps only once the period ends (docs/budgets.md).
    if (error instanceof BudgetExceededError) {
      const body: ApiErrorBody = { code: error.code, message: error.message, field: 'tenant', problems: error.problems };
      const retryAfter = Math.max(1, Math.ceil((error.resetsAt - Date.now()) / 1000));
      return reply.status(402).header('retry-after', String(retryAfter)).send(body);
    }
    if (error instanceof JobSpecError) {
      const first = error.problems[0];
      const body: ApiErrorBody = {
        code: 'invalid_job',
        message: error.message,
        ...(first === undefined ? {} : { field: first.field }),
        problems: error.problems,
      };
      return reply.status(400).send(body);
    }
    if (error instanceof ApiError) {
      const body: ApiErrorBody = { code: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) };
      return reply.status(error.statusCode).send(body);
    }
    const fastifyError = error as FastifyError;
    const known = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
    if (known !== undefined) return reply.status(known.status).send({ code: known.code, message: fastifyError.message });
    if (fastifyError.validation !== undefined) {
      const field = fastifyError.validation[0]?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '';
      return reply.status(400).send({ code: 'invalid_request', message: fastifyError.message, ...(field === '' ? {} : { field }) });
    }
    if (fastifyError.statusCode === 429) return reply.status(429).send({ code: 'rate_limited', message: fastifyError.message });
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
      return reply.status(fastifyError.statusCode).send({ code: 'bad_request', message: fastifyError.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ code: 'internal', message: 'the fleet could not handle this request; see its logs' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` }),
  );
}
