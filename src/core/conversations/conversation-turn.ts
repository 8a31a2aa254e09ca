import type { Message } from '../model-request.js';

/**
 * One exchange of a conversation as it is kept: the user turn(s) a job sent
 * (with any assistant turns it gave in between) and the answer it got. It
 * starts with a user message, alternates, and ends with the assistant's.
 */
export type ConversationTurn = Message[];

/** What a job and its result say of the conversation it continued. */
export interface ConversationRef {
  id: string;
  /** Earlier exchanges prepended to the job's own messages. */
  historyTurns: number;
  /** Messages those exchanges hold (the job's request starts with them). */
  historyMessages: number;
}

/** Stands in for an answer with no text: Converse refuses empty text blocks. */
export const EMPTY_ANSWER = '(no answer)';

/**
 * Merges neighbouring messages of the same role into one and drops leading
 * assistant messages, so the messages start with a user turn and alternate,
 * as Converse requires.
 */
export function alternate(messages: readonly Message[]): Message[] {
  const out: Message[] = [];
  for (const message of messages) {
    const last = out.at(-1);
    if (last === undefined && message.role !== 'user') continue;
    if (last !== undefined && last.role === message.role) {
      out[out.length - 1] = { role: last.role, content: [...last.content, ...message.content] };
    } else {
      out.push({ role: message.role, content: [...message.content] });
    }
  }
  return out;
}

/** The exchange a completed job adds: its own messages, then the final answer. */
export function turnOf(ownMessages: readonly Message[], answerText: string): ConversationTurn {
  const text = answerText.trim() === '' ? EMPTY_ANSWER : answerText;
  return alternate([...ownMessages, { role: 'assistant', content: [{ text }] }]);
}

/** Whether a stored value is a usable exchange (user first, alternating, the answer last). */
export function isConversationTurn(value: unknown): value is ConversationTurn {
  if (!Array.isArray(value) || value.length < 2) return false;
  return value.every((m: unknown, i) => {
    if (typeof m !== 'object' || m === null) return false;
    const { role, content } = m as { role?: unknown; content?: unknown };
    return role === (i % 2 === 0 ? 'user' : 'assistant') && Array.isArray(content) && content.length > 0;
  }) && value.length % 2 === 0;
}
