import type { FastifyInstance } from 'fastify';
import { jobSpecSchema } from '../../core/job/job-spec.js';
import { createConversationStore } from '../../queue/conversations/conversation-store.js';
import { ApiError } from '../api-error.js';
import type { ApiDeps } from '../api-deps.js';

const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
/** Conversation ids follow the job id rules. */
const conversationId = jobSpecSchema.shape.conversation;

export function conversationLinks(id: string): { self: string } {
  return { self: `/v1/conversations/${encodeURIComponent(id)}` };
}

/**
 * `GET /v1/conversations/:id`: the caller's tenant's history, as the next
 * job would continue it. `DELETE` forgets it. Another tenant's conversation
 * with the same id is a different one, so it is answered like a missing one.
 */
export function registerConversationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const store = createConversationStore({ redis: deps.redis, fleetName: deps.fleet.name, limits: deps.fleet.conversations });
  const missing = (id: string): ApiError => new ApiError(404, 'not_found', `no conversation "${id}"`, 'id');
  const idOf = (params: unknown): string => {
    const { id } = params as { id: string };
    if (!conversationId.safeParse(id).success) throw missing(id);
    return id;
  };

  app.get(
    '/v1/conversations/:id',
    { schema: { summary: "A conversation's history: the messages the next job in it starts with", tags: ['conversations'], params: idParams } },
    async (request) => {
      const id = idOf(request.params);
      const [turns, expiresIn] = await Promise.all([store.history(request.tenant, id), store.expiresIn(request.tenant, id)]);
      if (expiresIn === undefined) throw missing(id);
      return { id, turns: turns.length, messages: turns.flat(), expiresInSeconds: expiresIn, links: conversationLinks(id) };
    },
  );

  app.delete(
    '/v1/conversations/:id',
    { schema: { summary: 'Forget a conversation: the next job with this id starts afresh', tags: ['conversations'], params: idParams } },
    async (request, reply) => {
      const id = idOf(request.params);
      if (!(await store.forget(request.tenant, id))) throw missing(id);
      return reply.status(204).send();
    },
  );
}
