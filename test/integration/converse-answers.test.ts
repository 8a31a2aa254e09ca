import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { costOf } from '../../src/core/price.js';
import { startHarness, TRANSPORTS, userText, type Harness } from '../helpers/emulator-harness.js';

const MICRO = 'amazon.nova-micro-v1:0';
const MICRO_PRICE = { inputPer1k: 0.000035, outputPer1k: 0.00014 };
const MISTRAL = 'mistral.mistral-7b-instruct-v0:2';

/** A small but real PDF file: the bytes a document block should deliver. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

/** Records the JSON body of every request the SDK client sends, as serialized for the wire. */
function recordBodies(h: Harness): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  h.sdk.middlewareStack.add(
    (next) => async (args) => {
      // The SDK's JSON codec hands over bytes (a Uint8Array); older ones a string.
      const body = (args.request as { body?: unknown }).body;
      const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : body;
      if (typeof text === 'string') bodies.push(JSON.parse(text) as Record<string, unknown>);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordBodies' },
  );
  return bodies;
}

type WireBlock = Record<string, Record<string, unknown> | undefined>;
const wireBlock = (body: Record<string, unknown> | undefined, message: number, block: number): WireBlock =>
  ((body?.['messages'] as { content: WireBlock[] }[] | undefined)?.[message]?.content[block] ?? {});
const wireBytes = (media: Record<string, unknown> | undefined): Buffer =>
  Buffer.from(String((media?.['source'] as { bytes?: unknown } | undefined)?.bytes), 'base64');

describe.each(TRANSPORTS)('Converse through the real SDK client over %s', (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(transport);
  });
  afterEach(async () => {
    await h.close();
  });

  it('gets a text answer with usage and cost, on the transport asked for', async () => {
    const result = await h.models.converse({ modelId: MICRO, messages: userText('Name three primary colours.') });
    expect(result.text).toContain('Emulated answer from amazon.nova-micro-v1:0');
    expect(result.stopReason).toBe('end_turn');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
    expect(result.costUsd).toBe(costOf(result.usage, MICRO_PRICE));
    expect(result.answeredModelId).toBe(MICRO);
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.streamed).toBe(false);
    expect(h.emulator.state.stats.snapshot().transports).toEqual({ [transport === 'http2' ? '2.0' : '1.1']: 1 });
  });

  it('assembles a streamed answer from deltas and measures first-token latency', async () => {
    h.emulator.state.override(MICRO, { latency: { baseMs: 60, perOutputTokenMs: 2 } });
    const request = { modelId: MICRO, messages: userText('Describe the sea in one paragraph.') };
    const whole = await h.models.converse(request);
    const streamed = await h.models.converseStream(request);

    expect(streamed.streamed).toBe(true);
    expect(streamed.text).toBe(whole.text);
    expect(streamed.usage).toEqual(whole.usage);
    expect(streamed.stopReason).toBe('end_turn');
    expect(streamed.firstTokenMs).toBeGreaterThanOrEqual(55);
    // The remaining deltas arrive perOutputTokenMs * outputTokens (about 96 ms) later.
    expect(streamed.latencyMs - (streamed.firstTokenMs ?? 0)).toBeGreaterThanOrEqual(60);
  });

  it('streams more than one delta, as the raw SDK sees them', async () => {
    const out = await h.sdk.send(
      new ConverseStreamCommand({ modelId: MICRO, messages: userText('Tell me about rivers.') }),
    );
    const kinds: string[] = [];
    for await (const event of out.stream ?? []) kinds.push(Object.keys(event)[0] ?? '?');
    expect(kinds[0]).toBe('messageStart');
    expect(kinds.filter((k) => k === 'contentBlockDelta').length).toBeGreaterThan(3);
    expect(kinds.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
  });

  it('passes multi-turn messages, a system prompt, inference settings, an image and a tool config', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const result = await h.models.converse({
      modelId: MICRO,
      system: ['You answer in one sentence.'],
      messages: [
        { role: 'user', content: [{ text: 'What is in this picture?' }, { image: { format: 'png', source: { bytes: png } } }] },
        { role: 'assistant', content: [{ text: 'A tiny image.' }] },
        { role: 'user', content: [{ text: 'Describe it again, shorter.' }] },
      ],
      inference: { maxTokens: 10, temperature: 0.2, topP: 0.9 },
      toolConfig: {
        tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object' } } } }],
      },
    });
    expect(result.stopReason).toBe('max_tokens');
    expect(result.usage.outputTokens).toBe(10);
    // The image is billed as input: about 1,600 tokens on top of the text.
    expect(result.usage.inputTokens).toBeGreaterThan(1600);
  });

  it('sends base64 document bytes as the file itself: on the wire they decode to the original PDF, and the model reads it', async () => {
    const bodies = recordBodies(h);
    const result = await h.models.converse({
      modelId: MICRO,
      messages: [
        {
          role: 'user',
          content: [
            { text: 'Summarise the attached file.' },
            { document: { format: 'pdf', name: 'report', source: { bytes: PDF.toString('base64') } } },
          ],
        },
      ],
    });
    expect(result.stopReason).toBe('end_turn');
    const document = wireBlock(bodies[0], 0, 1)['document'];
    expect(wireBytes(document).equals(PDF)).toBe(true);
    expect(document).toMatchObject({ format: 'pdf', name: 'report' });
  });

  it('decodes blob bytes nested in a tool result, and in images and videos, and keeps an s3Location source as given', async () => {
    const bodies = recordBodies(h);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const mp4 = Buffer.from('000000186674797069736f6d', 'hex');
    const s3Location = { uri: 's3://bucket/picture.png', bucketOwner: '123456789012' };
    await h.models.converse({
      modelId: MICRO,
      toolConfig: { tools: [{ toolSpec: { name: 'fetch', inputSchema: { json: { type: 'object' } } } }] },
      messages: [
        { role: 'user', content: [{ text: 'Fetch the report.' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'fetch', input: {} } }] },
        {
          role: 'user',
          content: [
            {
              toolResult: {
                toolUseId: 't1',
                content: [
                  { text: 'Here it is.' },
                  { document: { format: 'pdf', name: 'fetched', source: { bytes: PDF.toString('base64') } } },
                  { image: { format: 'png', source: { bytes: png.toString('base64') } } },
                ],
              },
            },
            { image: { format: 'png', source: { s3Location } } },
            { video: { format: 'mp4', source: { bytes: mp4.toString('base64') } } },
            { text: 'What do they show?' },
          ],
        },
      ],
    });
    const toolResult = wireBlock(bodies[0], 2, 0)['toolResult'] as { content: WireBlock[] };
    expect(wireBytes(toolResult.content[1]?.['document']).equals(PDF)).toBe(true);
    expect(wireBytes(toolResult.content[2]?.['image']).equals(png)).toBe(true);
    expect(wireBlock(bodies[0], 2, 1)['image']).toEqual({ format: 'png', source: { s3Location } });
    expect(wireBytes(wireBlock(bodies[0], 2, 2)['video']).equals(mp4)).toBe(true);
  });

  it('refuses bytes that are not base64 before calling, as invalid-request', async () => {
    const call = h.models.converse({
      modelId: MICRO,
      messages: [{ role: 'user', content: [{ text: 'Read it.' }, { document: { format: 'txt', name: 'n', source: { bytes: 'not base64!' } } }] }],
    });
    await expect(call).rejects.toMatchObject({ kind: 'invalid-request', code: 'InvalidBlobBytes' });
    expect(h.emulator.state.stats.snapshot().totals.calls).toBe(0);
  });

  it('folds the system prompt into the first user message for a model that takes none, and sends it as `system` otherwise', async () => {
    const bodies = recordBodies(h);
    const request = {
      system: ['You answer in one sentence.', 'Be kind.'],
      messages: [{ role: 'user' as const, content: [{ text: 'Name a colour.' }] }],
    };
    const folded = await h.models.converseStream({ modelId: MISTRAL, ...request });
    expect(folded.stopReason).toBe('end_turn');
    expect(bodies[0]?.['system']).toBeUndefined();
    expect((bodies[0]?.['messages'] as unknown[])[0]).toEqual({
      role: 'user',
      content: [{ text: 'You answer in one sentence.\n\nBe kind.' }, { text: 'Name a colour.' }],
    });

    await h.models.converse({ modelId: MICRO, ...request });
    expect(bodies[1]?.['system']).toEqual([{ text: 'You answer in one sentence.' }, { text: 'Be kind.' }]);
    expect((bodies[1]?.['messages'] as unknown[])[0]).toEqual({ role: 'user', content: [{ text: 'Name a colour.' }] });
  });

  it('reports the model a prompt router actually invoked, priced as that model', async () => {
    const router = 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1';
    const haiku = 'anthropic.claude-3-haiku-20240307-v1:0';
    const sonnet = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    h.emulator.state.override(router, { promptRouter: { models: [haiku, sonnet], longPromptChars: 100 } });

    const short = await h.models.converse({ modelId: router, messages: userText('Hi!') });
    expect(short.requestedModelId).toBe(router);
    expect(short.answeredModelId).toBe(haiku);
    expect(short.costUsd).toBe(costOf(short.usage, { inputPer1k: 0.00025, outputPer1k: 0.00125 }));

    const long = await h.models.converseStream({ modelId: router, messages: userText('why? '.repeat(40)) });
    expect(long.answeredModelId).toBe(sonnet);
    expect(long.costUsd).toBe(costOf(long.usage, { inputPer1k: 0.003, outputPer1k: 0.015 }));
  });

  it('answers plain ConverseCommand calls with the shape Bedrock uses', async () => {
    const out = await h.sdk.send(new ConverseCommand({ modelId: MICRO, messages: userText('Hello') }));
    expect(out.output?.message?.role).toBe('assistant');
    expect(out.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(out.$metadata.httpStatusCode).toBe(200);
  });
});
