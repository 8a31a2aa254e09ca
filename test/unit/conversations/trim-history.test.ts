import { describe, expect, it } from 'vitest';
import { alternate, EMPTY_ANSWER, isConversationTurn, turnOf, type ConversationTurn } from '../../../src/core/conversations/conversation-turn.js';
import { continueConversation, trimHistory } from '../../../src/core/conversations/trim-history.js';
import type { Message } from '../../../src/core/model-request.js';

const user = (text: string): Message => ({ role: 'user', content: [{ text }] });
const assistant = (text: string): Message => ({ role: 'assistant', content: [{ text }] });
const turn = (q: string, a: string): ConversationTurn => [user(q), assistant(a)];

/** Converse's rule: the first message is the user's, and roles alternate. */
function alternates(messages: readonly Message[]): boolean {
  return messages.every((m, i) => m.role === (i % 2 === 0 ? 'user' : 'assistant'));
}

describe('trimHistory', () => {
  const history = [turn('q1', 'a1'), turn('q2', 'a2'), turn('q3', 'a3'), turn('q4', 'a4')];

  it('keeps the newest maxTurns exchanges, oldest first', () => {
    expect(trimHistory(history, { maxTurns: 2 })).toEqual([turn('q3', 'a3'), turn('q4', 'a4')]);
    expect(trimHistory(history, { maxTurns: 10 })).toEqual(history);
    expect(trimHistory([], { maxTurns: 3 })).toEqual([]);
  });

  it('keeps the newest exchanges within maxChars of text', () => {
    // Each exchange has 4 characters of text.
    expect(trimHistory(history, { maxTurns: 10, maxChars: 8 })).toEqual([turn('q3', 'a3'), turn('q4', 'a4')]);
    expect(trimHistory(history, { maxTurns: 10, maxChars: 11 })).toEqual([turn('q3', 'a3'), turn('q4', 'a4')]);
    expect(trimHistory(history, { maxTurns: 1, maxChars: 100 })).toEqual([turn('q4', 'a4')]);
  });

  it('drops an exchange alone over maxChars, and everything before it', () => {
    const long = [turn('q1', 'a1'), turn('a much longer question', 'and answer'), turn('q3', 'a3')];
    expect(trimHistory(long, { maxTurns: 10, maxChars: 10 })).toEqual([turn('q3', 'a3')]);
  });

  it('trims whole exchanges, so what is left still starts with the user and alternates', () => {
    const mixed: ConversationTurn[] = [
      [user('few-shot q'), assistant('few-shot a'), user('real q'), assistant('real a')],
      turn('q2', 'a2'),
      [user('q3'), assistant('a3')],
    ];
    for (let maxTurns = 1; maxTurns <= 3; maxTurns += 1) {
      for (const maxChars of [undefined, 5, 20, 1000]) {
        const kept = trimHistory(mixed, { maxTurns, maxChars });
        const messages = continueConversation(kept, [user('next')]);
        expect(alternates(messages)).toBe(true);
        expect(messages.at(-1)).toEqual(user('next'));
      }
    }
  });
});

describe('continueConversation', () => {
  it("puts the history before the job's own messages", () => {
    const messages = continueConversation([turn('My name is Ada.', 'Hello Ada.')], [user('What is my name?')]);
    expect(messages).toEqual([user('My name is Ada.'), assistant('Hello Ada.'), user('What is my name?')]);
  });

  it('sends the own messages alone when there is no history', () => {
    expect(continueConversation([], [user('hi')])).toEqual([user('hi')]);
  });
});

describe('turnOf', () => {
  it("is the job's own messages, then the answer", () => {
    expect(turnOf([user('q')], 'a')).toEqual(turn('q', 'a'));
    expect(turnOf([user('q1'), assistant('a1'), user('q2')], 'a2')).toEqual([user('q1'), assistant('a1'), user('q2'), assistant('a2')]);
  });

  it('merges neighbours of one role and drops leading assistant turns, so it alternates', () => {
    const merged = turnOf([assistant('stray'), user('one'), user('two')], 'answer');
    expect(merged).toEqual([{ role: 'user', content: [{ text: 'one' }, { text: 'two' }] }, assistant('answer')]);
    expect(alternates(merged)).toBe(true);
  });

  it('stands in for an empty answer: Converse refuses empty text', () => {
    expect(turnOf([user('q')], '  ')).toEqual(turn('q', EMPTY_ANSWER));
  });

  it('makes a turn that isConversationTurn accepts', () => {
    expect(isConversationTurn(turnOf([user('q')], 'a'))).toBe(true);
    expect(isConversationTurn([user('q')])).toBe(false);
    expect(isConversationTurn([assistant('a'), user('q')])).toBe(false);
    expect(isConversationTurn([user('q'), assistant('a'), user('q2')])).toBe(false);
    expect(isConversationTurn('nope')).toBe(false);
  });
});

describe('alternate', () => {
  it('leaves alternating messages as they are', () => {
    const messages = [user('a'), assistant('b'), user('c')];
    expect(alternate(messages)).toEqual(messages);
  });
});
