import type { ConversationTurn } from '../core/conversations/conversation-turn.js';
import { continueConversation } from '../core/conversations/trim-history.js';
import type { RenderedRequest } from '../core/job/render-request.js';
import type { PreparedJob } from './create-producer.js';
import { historyKey, type ConversationRefKey } from './conversations/conversation-store.js';
import type { TierJobData } from './tier-job-data.js';

/** The conversations the jobs continue, to read before they are enqueued. */
export function conversationRefs(jobs: readonly PreparedJob[]): ConversationRefKey[] {
  return jobs.flatMap((job) => (job.spec.conversation === undefined ? [] : [{ tenant: job.spec.tenant, id: job.spec.conversation }]));
}

/**
 * A job's data with its context: the experiment variant it was given, and,
 * in a conversation, the history read at enqueue put before its own
 * messages (in every rendering of its request).
 */
export function addJobContext(data: TierJobData, job: PreparedJob, histories: ReadonlyMap<string, ConversationTurn[]>): TierJobData {
  // A job that does not count for its variant (a spent budget moved it) is not labelled, so it is not measured.
  const ref = job.experiment?.notCounted === undefined ? job.experiment : undefined;
  const experiment = ref === undefined ? {} : { experiment: { name: ref.name, variant: ref.variant } };
  const id = job.spec.conversation;
  if (id === undefined) return { ...data, ...experiment };
  const history = histories.get(historyKey({ tenant: job.spec.tenant, id })) ?? [];
  const continued = (request: RenderedRequest): RenderedRequest => ({ ...request, messages: continueConversation(history, request.messages) });
  return {
    ...data,
    ...experiment,
    request: continued(data.request),
    ...(data.requestByFamily === undefined
      ? {}
      : { requestByFamily: Object.fromEntries(Object.entries(data.requestByFamily).map(([family, r]) => [family, continued(r)])) }),
    conversation: { id, historyTurns: history.length, historyMessages: history.reduce((n, turn) => n + turn.length, 0) },
  };
}
