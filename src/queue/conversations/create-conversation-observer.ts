import { turnOf } from '../../core/conversations/conversation-turn.js';
import type { JobObserver } from '../job-observer.js';
import type { ConversationStore } from './conversation-store.js';

/**
 * Adds a completed job's exchange to its conversation: the job's own
 * messages (its request after the history it was given) and the final
 * answer, whichever tier and model gave it. A failed job adds nothing, nor
 * does one enqueued before its conversation was forgotten.
 */
export function createConversationObserver(deps: { store: ConversationStore }): JobObserver {
  return {
    name: 'conversations',
    async finished(job) {
      const { data, outcome } = job;
      if (data.conversation === undefined || job.state !== 'completed' || outcome === undefined) return;
      const own = data.request.messages.slice(data.conversation.historyMessages);
      await deps.store.append(data.tenant, data.conversation.id, turnOf(own, outcome.answer.text), data.enqueuedAt);
    },
  };
}
