import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { jobSpecSchema } from '../../core/job/job-spec.js';
import type { JobResult } from '../../core/job/job-result.js';
import { clientId, fleetIdsOf } from '../../core/job/tenant-scoped-id.js';
import { ApiError } from '../api-error.js';
import type { ApiDeps } from '../api-deps.js';

/** The body schema, for the OpenAPI document; parseJobSpec validates, naming fields as the producer does. */
export const jobBodySchema = z.toJSONSchema(jobSpecSchema, { io: 'input', unrepresentable: 'any' });

const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

export function jobLinks(id: string): { self: string } {
  return { self: `/v1/jobs/${encodeURIComponent(id)}` };
}

/**
 * A tenant's job by the id it gave, with its fleet-wide id. A job of another
 * tenant is answered exactly like a missing one. A job enqueued before ids
 * were scoped per tenant is still found under its bare id.
 */
export async function ownJob(deps: ApiDeps, tenant: string, id: string): Promise<{ result: JobResult; fleetId: string }> {
  for (const fleetId of fleetIdsOf(tenant, id)) {
    const result = await deps.readResult(fleetId);
    if (result?.tenant === tenant) return { result, fleetId };
  }
  throw new ApiError(404, 'not_found', `no job "${id}"`, 'id');
}

export function registerJobRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post(
    '/v1/jobs',
    {
      schema: {
        summary: 'Enqueue one job',
        description:
          'Validated, routed and enqueued; answers 202 with the job id and its status link. The same id (body `id` or `Idempotency-Key`) yields one job; the same id with a different request answers 422 `idempotency_key_reused`.',
        tags: ['jobs'],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string' } } },
        body: jobBodySchema,
      },
      // Documented above; validated by parseJobSpec inside the producer.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const body = request.body;
      // NDJSON is parsed for batches only (it reaches a route as a stream): here it is the wrong media type.
      if (body instanceof Readable) throw new ApiError(415, 'unsupported_media_type', 'a job is one JSON object: send it as application/json');
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError(400, 'invalid_body', 'expected a JSON object describing one job');
      }
      const job = { ...(body as Record<string, unknown>) };
      if ('tenant' in job && job.tenant !== request.tenant) {
        throw new ApiError(400, 'invalid_job', 'the tenant is set by the API key; leave it out', 'tenant');
      }
      if ('batchId' in job) throw new ApiError(400, 'invalid_job', 'batchId is set by POST /v1/batches', 'batchId');
      const key = request.headers['idempotency-key'];
      if (typeof key === 'string' && key !== '') {
        if (job.id !== undefined && job.id !== key) {
          throw new ApiError(400, 'invalid_job', 'the body id and the Idempotency-Key header differ', 'id');
        }
        job.id = key;
      }
      const receipt = await deps.producer.enqueue({ ...job, tenant: request.tenant });
      // The id the client gave (or the one generated for it), without its tenant's scope.
      const id = clientId(request.tenant, receipt.id);
      if (receipt.differs === true) {
        // A retry must repeat its request; another request under a used id would silently get the first one's answer.
        const by = typeof key === 'string' && key !== '' ? 'Idempotency-Key' : 'id';
        throw new ApiError(422, 'idempotency_key_reused', `job ${by} "${id}" was used for a different request; send the same request to read that job back, or use a new ${by} for a new job`, 'id');
      }
      return reply
        .status(202)
        .header('location', jobLinks(id).self)
        .send({ id, created: receipt.created, tier: receipt.tier, route: receipt.route, links: jobLinks(id) });
    },
  );

  app.get(
    '/v1/jobs/:id',
    { schema: { summary: 'A job: its state, answer and every attempt', tags: ['jobs'], params: idParams } },
    async (request) => (await ownJob(deps, request.tenant, (request.params as { id: string }).id)).result,
  );

  app.delete(
    '/v1/jobs/:id',
    { schema: { summary: 'Cancel a job: a waiting one is removed, a running one aborted', tags: ['jobs'], params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { fleetId } = await ownJob(deps, request.tenant, id);
      const outcome = await deps.cancel(fleetId);
      if (outcome.state === 'not-found') throw new ApiError(404, 'not_found', `no job "${id}"`, 'id');
      if (outcome.state === 'finished') {
        throw new ApiError(409, 'already_finished', `job "${id}" has already ${outcome.finalState === 'completed' ? 'completed' : 'failed'}`, 'id');
      }
      return reply.status(202).send({ id, state: outcome.state, links: jobLinks(id) });
    },
  );
}
