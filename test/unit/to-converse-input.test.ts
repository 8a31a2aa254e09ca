import { describe, expect, it } from 'vitest';
import { base64Bytes } from '../../src/converse/decode-blob-sources.js';
import { toConverseInput } from '../../src/converse/to-converse-input.js';
import { ModelCallError } from '../../src/core/model-call-error.js';
import { takesSystemPrompt } from '../../src/core/model-family.js';
import type { ContentBlock, ModelRequest } from '../../src/core/model-request.js';

const MICRO = 'amazon.nova-micro-v1:0';
const bytes = Buffer.from('%PDF-1.4 some bytes', 'latin1');

const oneBlock = (block: ContentBlock, modelId = MICRO): ModelRequest => ({
  modelId,
  messages: [{ role: 'user', content: [{ text: 'Look.' }, block] }],
});
const sentBlock = (request: ModelRequest): unknown => toConverseInput(request).messages?.[0]?.content?.[1];

describe('takesSystemPrompt', () => {
  it.each([
    'mistral.mistral-7b-instruct-v0:2',
    'mistral.mixtral-8x7b-instruct-v0:1',
    'arn:aws:bedrock:us-west-2::foundation-model/mistral.mixtral-8x7b-instruct-v0:1',
    'amazon.titan-text-express-v1',
    'amazon.titan-text-lite-v1',
    'amazon.titan-text-premier-v1:0',
    'cohere.command-text-v14',
    'cohere.command-light-text-v14',
  ])('%s takes none', (id) => {
    expect(takesSystemPrompt(id)).toBe(false);
  });

  it.each([
    'mistral.mistral-large-2402-v1:0',
    'mistral.mistral-large-2407-v1:0',
    'mistral.mistral-small-2402-v1:0',
    'cohere.command-r-v1:0',
    'cohere.command-r-plus-v1:0',
    'amazon.nova-micro-v1:0',
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'meta.llama3-1-8b-instruct-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1',
  ])('%s takes one', (id) => {
    expect(takesSystemPrompt(id)).toBe(true);
  });
});

describe('toConverseInput: blob bytes', () => {
  it('decodes the base64 bytes of a document, an image and a video into the bytes themselves', () => {
    const b64 = bytes.toString('base64');
    for (const block of [
      { document: { format: 'pdf', name: 'd', source: { bytes: b64 } } },
      { image: { format: 'png' as const, source: { bytes: b64 } } },
      { video: { format: 'mp4', source: { bytes: b64 } } },
    ]) {
      const [key] = Object.keys(block) as ('document' | 'image' | 'video')[];
      const sent = sentBlock(oneBlock(block)) as Record<string, { source: { bytes: Uint8Array } }>;
      expect(Buffer.from(sent[key!]!.source.bytes).equals(bytes)).toBe(true);
    }
  });

  it('decodes blobs nested in a tool result and leaves its other blocks alone', () => {
    const block = {
      toolResult: {
        toolUseId: 't1',
        status: 'success',
        content: [{ json: { a: 1 } }, { document: { format: 'pdf', name: 'd', source: { bytes: bytes.toString('base64') } } }],
      },
    };
    const sent = sentBlock(oneBlock(block)) as { toolResult: { toolUseId: string; status: string; content: Record<string, unknown>[] } };
    expect(sent.toolResult).toMatchObject({ toolUseId: 't1', status: 'success' });
    expect(sent.toolResult.content[0]).toEqual({ json: { a: 1 } });
    const doc = sent.toolResult.content[1]?.['document'] as { name: string; source: { bytes: Uint8Array } };
    expect(doc.name).toBe('d');
    expect(Buffer.from(doc.source.bytes).equals(bytes)).toBe(true);
    // The job's own request is not changed.
    expect(block.toolResult.content[1]).toEqual({ document: { format: 'pdf', name: 'd', source: { bytes: bytes.toString('base64') } } });
  });

  it('keeps a source without bytes (s3Location) and bytes given as bytes as they are', () => {
    const s3 = { image: { format: 'png', source: { s3Location: { uri: 's3://bucket/key.png' } } } } as unknown as ContentBlock;
    expect(sentBlock(oneBlock(s3))).toEqual(s3);
    const raw = { image: { format: 'png' as const, source: { bytes } } };
    expect(sentBlock(oneBlock(raw))).toEqual(raw);
  });

  it('refuses bytes that are not base64 as invalid-request', () => {
    const bad = { document: { format: 'txt', name: 'd', source: { bytes: 'data:application/pdf;base64,JVBERi0=' } } };
    let error: unknown;
    try {
      toConverseInput(oneBlock(bad));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ kind: 'invalid-request', code: 'InvalidBlobBytes', modelId: MICRO });
    expect((error as Error).message).toContain('messages.0.content.1.document.source.bytes');
  });

  it('reads standard and URL-safe base64, with or without padding', () => {
    const data = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
    expect(base64Bytes(data.toString('base64'))?.equals(data)).toBe(true);
    expect(base64Bytes(data.toString('base64url'))?.equals(data)).toBe(true);
    expect(base64Bytes('+/+/\nAQ')?.equals(Buffer.from('+/+/AQ==', 'base64'))).toBe(true);
    expect(base64Bytes('abcde')).toBeUndefined();
    expect(base64Bytes('ab*d')).toBeUndefined();
  });
});

describe('toConverseInput: system prompts', () => {
  const request = (modelId: string): ModelRequest => ({
    modelId,
    system: ['Be brief.', 'Say how sure you are.'],
    messages: [
      { role: 'user', content: [{ text: 'First question.' }] },
      { role: 'assistant', content: [{ text: 'An answer.' }] },
      { role: 'user', content: [{ text: 'Second question.' }] },
    ],
  });

  it('sends them as `system` to a model that takes them', () => {
    const input = toConverseInput(request(MICRO));
    expect(input.system).toEqual([{ text: 'Be brief.' }, { text: 'Say how sure you are.' }]);
    expect(input.messages?.[0]?.content).toEqual([{ text: 'First question.' }]);
  });

  it('folds them into the first user message, as one leading text block, for a model that takes none', () => {
    const input = toConverseInput(request('us.mistral.mixtral-8x7b-instruct-v0:1'));
    expect(input.system).toBeUndefined();
    expect(input.messages?.[0]?.content).toEqual([{ text: 'Be brief.\n\nSay how sure you are.' }, { text: 'First question.' }]);
    expect(input.messages?.slice(1)).toEqual(request(MICRO).messages.slice(1));
  });

  it('sends neither for no or blank system texts', () => {
    const input = toConverseInput({ ...request('mistral.mistral-7b-instruct-v0:2'), system: [' '] });
    expect(input.system).toBeUndefined();
    expect(input.messages?.[0]?.content).toEqual([{ text: 'First question.' }]);
  });
});
