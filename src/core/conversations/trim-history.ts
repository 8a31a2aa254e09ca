import type { Message } from '../model-request.js';
import type { ConversationTurn } from './conversation-turn.js';

export interface HistoryLimits {
  /** Exchanges kept, newest last. */
  maxTurns: number;
  /** Characters of text kept over all exchanges; unlimited when unset. */
  maxChars?: number | undefined;
}

function textChars(turn: ConversationTurn): number {
  let chars = 0;
  for (const message of turn) {
    for (const block of message.content) if ('text' in block && typeof block.text === 'string') chars += block.text.length;
  }
  return chars;
}

/**
 * The newest exchanges within the limits, oldest first. Whole exchanges are
 * dropped, oldest first, so what is kept still starts with a user message
 * and alternates. An exchange alone over `maxChars` is dropped too.
 */
export function trimHistory(turns: readonly ConversationTurn[], limits: HistoryLimits): ConversationTurn[] {
  const kept: ConversationTurn[] = [];
  let chars = 0;
  for (let i = turns.length - 1; i >= 0 && kept.length < limits.maxTurns; i -= 1) {
    const turn = turns[i];
    if (turn === undefined) continue;
    chars += textChars(turn);
    if (limits.maxChars !== undefined && chars > limits.maxChars) break;
    kept.push(turn);
  }
  return kept.reverse();
}

/**
 * A job's request in its conversation: the earlier exchanges, then the job's
 * own messages. Every exchange starts with a user turn and ends with the
 * answer, and own messages start with a user turn (the job spec requires it
 * with a conversation), so the whole alternates as Converse requires.
 */
export function continueConversation(history: readonly ConversationTurn[], own: readonly Message[]): Message[] {
  return [...history.flat(), ...own];
}
