import { afterEach, describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/core/job/job-result.js';
import { createConversationStore } from '../../src/queue/conversations/conversation-store.js';
import { auth, startApiHarness, type ApiHarness } from '../helpers/api-harness.js';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

/**
 * Every model echoes the last user message, except that on "Ada" the small
 * tier is unsure (a cascade climbs) and the medium tier answers surely.
 */
const SCENARIO = {
  defaults: { answer: { mode: 'echo', confidence: 0.9 } },
  models: {
    [MODELS.small[0]]: { answer: { mode: 'echo', rules: [{ match: 'Ada', reply: 'Hello Ada?', confidence: 0.3 }] } },
    [MODELS.medium[0]]: { answer: { mode: 'echo', rules: [{ match: 'Ada', reply: 'Nice to meet you, Ada.', confidence: 0.95 }] } },
  },
};

/** A Converse call the workers made, as the SDK sent it: the model and each message's role and text. */
interface SentCall {
  modelId: string;
  messages: [string, string][];
}

/** Records every Converse call the harness's SDK client makes, before it goes on the wire. */
function recordCalls(h: FleetHarness): SentCall[] {
  const calls: SentCall[] = [];
  h.sdk.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { modelId?: string; messages?: { role?: string; content?: { text?: string }[] }[] };
      calls.push({
        modelId: input.modelId ?? '',
        messages: (input.messages ?? []).map((m): [string, string] => [m.role ?? '', (m.content ?? []).map((b) => b.text ?? '').join(' | ')]),
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordConverseCalls' },
  );
  return calls;
}

let fleet: FleetHarness | undefined;
let api: ApiHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  await api?.close();
  fleet = undefined;
  api = undefined;
});

/** Waits until the conversation observer has added the job's exchange (it runs just after the job completes). */
async function waitForTurns(h: FleetHarness, tenant: string, id: string, turns: number, lastAnswer?: string): Promise<void> {
  const store = createConversationStore({ redis: h.redis, fleetName: h.fleet.name, limits: h.fleet.conversations });
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const history = await store.history(tenant, id);
    const answer = (history.at(-1)?.at(-1)?.content[0] as { text?: string } | undefined)?.text;
    if (history.length >= turns && (lastAnswer === undefined || answer === lastAnswer)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`conversation ${tenant}/${id} did not reach ${turns} turns`);
}

async function run(h: FleetHarness, job: Record<string, unknown> & { id: string }): Promise<JobResult> {
  return h.waitFor((await h.producer.enqueue(job)).id);
}

describe('conversations', () => {
  it('continue with the first turn and its answer, whichever tier gave it; another tenant with the same id starts afresh', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    const calls = recordCalls(fleet);

    // First turn: a cascade that small is unsure of; medium answers.
    const first = await run(fleet, { id: 'turn-1', tenant: 'acme', conversation: 'chat-1', strategy: 'cascade', prompt: 'My name is Ada.' });
    expect(first.state).toBe('completed');
    expect(first.answer).toMatchObject({ tier: 'medium', text: 'Nice to meet you, Ada.' });
    expect(first.conversation).toEqual({ id: 'chat-1', historyTurns: 0, historyMessages: 0 });
    await waitForTurns(fleet, 'acme', 'chat-1', 1);

    // Second turn, answered by the large tier, sees the first turn and medium's answer (not small's).
    const second = await run(fleet, { id: 'turn-2', tenant: 'acme', conversation: 'chat-1', tier: 'large', prompt: 'What is my name?' });
    expect(second.answer).toMatchObject({ tier: 'large', model: MODELS.large[0] });
    expect(second.conversation).toEqual({ id: 'chat-1', historyTurns: 1, historyMessages: 2 });
    const toLarge = calls.filter((c) => c.modelId === MODELS.large[0]);
    expect(toLarge).toHaveLength(1);
    expect(toLarge[0]?.messages).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', 'What is my name?'],
    ]);
    // The first turn's own calls carried no history.
    for (const call of calls.filter((c) => c.modelId !== MODELS.large[0])) expect(call.messages).toEqual([['user', 'My name is Ada.']]);

    // Another tenant's "chat-1" is another conversation.
    const other = await run(fleet, { id: 'other-1', tenant: 'globex', conversation: 'chat-1', tier: 'large', prompt: 'What is my name?' });
    expect(other.conversation).toEqual({ id: 'chat-1', historyTurns: 0, historyMessages: 0 });
    expect(calls.at(-1)?.messages).toEqual([['user', 'What is my name?']]);

    // The second turn was added too: the history is now both exchanges, in order.
    await waitForTurns(fleet, 'acme', 'chat-1', 2);
    const store = createConversationStore({ redis: fleet.redis, fleetName: fleet.fleet.name, limits: fleet.fleet.conversations });
    const history = await store.history('acme', 'chat-1');
    expect(history.flat().map((m) => [m.role, (m.content[0] as { text: string }).text])).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', 'What is my name?'],
      ['assistant', 'What is my name?'],
    ]);
  });

  it('work with messages and document input, and keep only the newest maxTurns exchanges', async () => {
    fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: (input) => {
        input.conversations = { maxTurns: 2 };
      },
    });
    const calls = recordCalls(fleet);
    const messages = [
      { role: 'user', content: [{ text: 'Remember the number 6.' }] },
      { role: 'assistant', content: [{ text: 'Noted.' }] },
      { role: 'user', content: [{ text: 'Which number?' }] },
    ];
    await run(fleet, { id: 'm-1', tenant: 'acme', conversation: 'chat-2', tier: 'small', messages });
    await waitForTurns(fleet, 'acme', 'chat-2', 1);
    const doc = await run(fleet, { id: 'm-2', tenant: 'acme', conversation: 'chat-2', tier: 'small', task: 'qa', document: 'Six is even.' });
    expect(doc.conversation?.historyTurns).toBe(1);
    const rendered = calls.at(-1)?.messages ?? [];
    expect(rendered.slice(0, 4)).toEqual([
      ['user', 'Remember the number 6.'],
      ['assistant', 'Noted.'],
      ['user', 'Which number?'],
      ['assistant', 'Which number?'],
    ]);
    expect(rendered).toHaveLength(5);
    expect(rendered[4]?.[0]).toBe('user');
    expect(rendered[4]?.[1]).toContain('Six is even.');
    await waitForTurns(fleet, 'acme', 'chat-2', 2);

    // A third exchange pushes the first out: the fourth job sees the second and third only.
    await run(fleet, { id: 'm-3', tenant: 'acme', conversation: 'chat-2', tier: 'small', prompt: 'Third.' });
    await waitForTurns(fleet, 'acme', 'chat-2', 2, 'Third.');
    const fourth = await run(fleet, { id: 'm-4', tenant: 'acme', conversation: 'chat-2', tier: 'small', prompt: 'Fourth.' });
    expect(fourth.conversation?.historyTurns).toBe(2);
    const sent = calls.at(-1)?.messages ?? [];
    expect(sent[0]?.[0]).toBe('user');
    expect(sent[0]?.[1]).toContain('Six is even.');
    expect(sent.map(([role]) => role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(sent.slice(2)).toEqual([
      ['user', 'Third.'],
      ['assistant', 'Third.'],
      ['user', 'Fourth.'],
    ]);
    expect(JSON.stringify(sent)).not.toContain('Remember the number 6.');
  });

  it('add nothing for a failed job', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    const calls = recordCalls(fleet);
    for (const model of MODELS.medium) fleet.emulator.state.override(model, { faults: { ValidationException: 1 } });
    const failed = await run(fleet, { id: 'f-1', tenant: 'acme', conversation: 'chat-3', tier: 'medium', prompt: 'This one fails.' });
    expect(failed.state).toBe('failed');
    expect(failed.conversation).toEqual({ id: 'chat-3', historyTurns: 0, historyMessages: 0 });
    // Give the observers the time they take after a job finishes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = await run(fleet, { id: 'f-2', tenant: 'acme', conversation: 'chat-3', tier: 'large', prompt: 'And this one?' });
    expect(next.state).toBe('completed');
    expect(next.conversation?.historyTurns).toBe(0);
    expect(calls.at(-1)?.messages).toEqual([['user', 'And this one?']]);
  });

  it('refuse a messages input that starts with the assistant', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO, workers: [] });
    await expect(
      fleet.producer.enqueue({
        tenant: 'acme',
        conversation: 'chat-4',
        messages: [
          { role: 'assistant', content: [{ text: 'Hi.' }] },
          { role: 'user', content: [{ text: 'Hello.' }] },
        ],
      }),
    ).rejects.toThrow(/first message must be from the user/);
  });
});

describe('GET and DELETE /v1/conversations/:id', () => {
  it("show the caller's tenant its history, 404 to others, and forget it", async () => {
    api = await startApiHarness({ scenario: SCENARIO });
    const post = await api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth('acme'),
      payload: { id: 'api-1', conversation: 'chat-api', tier: 'large', prompt: 'Hello there.' },
    });
    expect(post.statusCode).toBe(202);
    const result = await api.fleet.waitFor(scopedId('acme', 'api-1'));
    expect(result.conversation).toEqual({ id: 'chat-api', historyTurns: 0, historyMessages: 0 });
    await waitForTurns(api.fleet, 'acme', 'chat-api', 1);

    const job = await api.app.inject({ method: 'GET', url: '/v1/jobs/api-1', headers: auth('acme') });
    expect(job.json()).toMatchObject({ conversation: { id: 'chat-api', historyTurns: 0 } });

    const mine = await api.app.inject({ method: 'GET', url: '/v1/conversations/chat-api', headers: auth('acme') });
    expect(mine.statusCode).toBe(200);
    const body = mine.json<{ id: string; turns: number; messages: unknown[]; expiresInSeconds: number }>();
    expect(body).toMatchObject({
      id: 'chat-api',
      turns: 1,
      messages: [
        { role: 'user', content: [{ text: 'Hello there.' }] },
        { role: 'assistant', content: [{ text: 'Hello there.' }] },
      ],
    });
    expect(body.expiresInSeconds).toBeGreaterThan(0);
    expect(body.expiresInSeconds).toBeLessThanOrEqual(api.fleet.fleet.conversations.ttlSeconds);

    const theirs = await api.app.inject({ method: 'GET', url: '/v1/conversations/chat-api', headers: auth('globex') });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json()).toMatchObject({ code: 'not_found', field: 'id' });
    expect((await api.app.inject({ method: 'DELETE', url: '/v1/conversations/chat-api', headers: auth('globex') })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/v1/conversations/bad:id', headers: auth('acme') })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/v1/conversations/chat-api' })).statusCode).toBe(401);

    const forget = await api.app.inject({ method: 'DELETE', url: '/v1/conversations/chat-api', headers: auth('acme') });
    expect(forget.statusCode).toBe(204);
    expect((await api.app.inject({ method: 'GET', url: '/v1/conversations/chat-api', headers: auth('acme') })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'DELETE', url: '/v1/conversations/chat-api', headers: auth('acme') })).statusCode).toBe(404);
  });

  it('stay forgotten when a job enqueued before the forget finishes after it; a later job starts afresh', async () => {
    const slowMedium = { ...SCENARIO.models[MODELS.medium[0]], latency: { baseMs: 1_000 } };
    api = await startApiHarness({ scenario: { ...SCENARIO, models: { ...SCENARIO.models, [MODELS.medium[0]]: slowMedium } } });
    const h = api;
    const post = (id: string, tier: string, prompt: string) =>
      h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id, conversation: 'chat-f', tier, prompt } });
    await post('f-1', 'large', 'Hello.');
    await h.fleet.waitFor(scopedId('acme', 'f-1'));
    await waitForTurns(h.fleet, 'acme', 'chat-f', 1);

    await post('f-2', 'medium', 'Remember my card number.');
    await h.fleet.waitFor(scopedId('acme', 'f-2'), ['active']);
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/conversations/chat-f', headers: auth('acme') })).statusCode).toBe(204);
    expect((await h.fleet.waitFor(scopedId('acme', 'f-2'))).state).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the conversation observer runs just after the job completes
    expect((await h.app.inject({ url: '/v1/conversations/chat-f', headers: auth('acme') })).statusCode).toBe(404);

    await post('f-3', 'large', 'Fresh start.');
    expect((await h.fleet.waitFor(scopedId('acme', 'f-3'))).conversation).toEqual({ id: 'chat-f', historyTurns: 0, historyMessages: 0 });
    await waitForTurns(h.fleet, 'acme', 'chat-f', 1);
    const kept = (await h.app.inject({ url: '/v1/conversations/chat-f', headers: auth('acme') })).json<{ messages: unknown[] }>();
    expect(kept.messages).toEqual([
      { role: 'user', content: [{ text: 'Fresh start.' }] },
      { role: 'assistant', content: [{ text: 'Fresh start.' }] },
    ]);

    // A DELETE that finds nothing (the first exchange is still running) forgets nothing: that exchange is kept.
    await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth('acme'), payload: { id: 'g-1', conversation: 'chat-g', tier: 'medium', prompt: 'My order is 18-2231.' } });
    await h.fleet.waitFor(scopedId('acme', 'g-1'), ['active']);
    expect((await h.app.inject({ method: 'DELETE', url: '/v1/conversations/chat-g', headers: auth('acme') })).statusCode).toBe(404);
    await h.fleet.waitFor(scopedId('acme', 'g-1'));
    await waitForTurns(h.fleet, 'acme', 'chat-g', 1);
  });
});
