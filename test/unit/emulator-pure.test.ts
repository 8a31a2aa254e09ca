import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { costOf } from '../../src/core/price.js';
import { baseModelId, priceTable } from '../../src/core/price-table.js';
import { estimateTokens } from '../../src/core/estimate-tokens.js';
import { composeAnswer, type ComposeContext } from '../../src/emulator/compose-answer.js';
import { EmulatedException } from '../../src/emulator/exceptions.js';
import { BodyTooLargeError, readBody, type Request } from '../../src/emulator/http-io.js';
import { resolveBehaviour } from '../../src/emulator/model-behaviour.js';
import { scenarioSchema } from '../../src/emulator/scenario-schema.js';
import { pickFault } from '../../src/emulator/pick-fault.js';
import type { ReplayAnswer, ReplayDataset } from '../../src/emulator/replay/replay-dataset.js';
import type { ModelBehaviourInput } from '../../src/emulator/scenario-schema.js';
import { seededRandom } from '../../src/emulator/seeded-random.js';
import { inputText, lastUserText, validateConverseRequest } from '../../src/emulator/validate-converse-request.js';

const MODEL = 'amazon.nova-micro-v1:0';

/** Calls `fn`, expects an EmulatedException, and returns it. */
function emulated(fn: () => unknown): EmulatedException {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatedException);
    return error as EmulatedException;
  }
  throw new Error('expected an EmulatedException, but nothing was thrown');
}

describe('pickFault', () => {
  it('returns undefined without drawing when there are no rates', () => {
    const random = vi.fn(() => 0);
    expect(pickFault({}, random)).toBeUndefined();
    expect(random).not.toHaveBeenCalled();
  });

  it('always fails at rate 1 or a total past 1, never at rate 0', () => {
    const random = seededRandom(7, MODEL);
    for (let i = 0; i < 1000; i++) {
      expect(pickFault({ ThrottlingException: 1 }, random)).toBe('ThrottlingException');
      expect(pickFault({ a: 0.6, b: 0.6 }, random)).toBeDefined();
      expect(pickFault({ ThrottlingException: 0 }, random)).toBeUndefined();
    }
  });

  it('gives each fault its slice of [0, 1) in order', () => {
    const rates = { a: 0.1, b: 0.2 };
    expect(pickFault(rates, () => 0.05)).toBe('a');
    expect(pickFault(rates, () => 0.1)).toBe('b');
    expect(pickFault(rates, () => 0.29)).toBe('b');
    expect(pickFault(rates, () => 0.31)).toBeUndefined();
  });

  it('hits a rate of 0.25 within ±2% over 10,000 seeded draws', () => {
    const random = seededRandom(1, MODEL);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (pickFault({ ThrottlingException: 0.25 }, random) !== undefined) hits++;
    expect(Math.abs(hits / 10_000 - 0.25)).toBeLessThanOrEqual(0.02);
  });

  it('splits two rates in proportion', () => {
    const random = seededRandom(3, MODEL);
    const counts = { a: 0, b: 0, none: 0 };
    for (let i = 0; i < 10_000; i++) counts[pickFault({ a: 0.1, b: 0.3 }, random) ?? 'none']++;
    expect(Math.abs(counts.a / 10_000 - 0.1)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(counts.b / 10_000 - 0.3)).toBeLessThanOrEqual(0.02);
  });
});

describe('seededRandom', () => {
  const draws = (seed: number, name: string, n = 20): number[] => {
    const random = seededRandom(seed, name);
    return Array.from({ length: n }, () => random());
  };

  it('repeats for the same seed and name', () => {
    expect(draws(42, MODEL)).toEqual(draws(42, MODEL));
  });

  it('differs for different names and different seeds', () => {
    expect(draws(42, MODEL)).not.toEqual(draws(42, 'amazon.nova-pro-v1:0'));
    expect(draws(42, MODEL)).not.toEqual(draws(43, MODEL));
  });

  it('draws numbers in [0, 1) with a mean near one half', () => {
    const values = draws(1, 'a', 10_000);
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});

const user = (text: string) => ({ role: 'user', content: [{ text }] });
const assistant = (text: string) => ({ role: 'assistant', content: [{ text }] });

describe('validateConverseRequest', () => {
  it.each([
    ['a body that is not an object', [], /must be a JSON object/],
    ['no messages', {}, /at 'messages'.*length greater than or equal to 1/],
    ['empty messages', { messages: [] }, /at 'messages'.*length greater than or equal to 1/],
    ['role "system"', { messages: [{ role: 'system', content: [{ text: 'x' }] }] }, /'messages\.0\.member\.role'.*\[user, assistant\]/],
    ['no content', { messages: [{ role: 'user', content: [] }] }, /'messages\.0\.content'/],
    ['an assistant message first', { messages: [assistant('hi'), user('hello')] }, /must start with a user message/],
    ['two user messages in a row', { messages: [user('a'), assistant('b'), user('c'), user('d')] }, /must alternate between user and assistant/],
    ['blank text', { messages: [{ role: 'user', content: [{ text: '  \n' }] }] }, /messages\.0\.content\.0 is blank/],
    ['a block with two keys', { messages: [{ role: 'user', content: [{ text: 'a', image: {} }] }] }, /messages\.0\.content\.0 must set exactly one/],
    ['a system block with two keys', { messages: [user('a')], system: [{ cachePoint: {}, guardContent: {} }] }, /system\.0 must set exactly one/],
    ['a system text block with a second key', { messages: [user('a')], system: [{ text: 'a', cachePoint: {} }] }, /system\.0 must set exactly one/],
    ['temperature 1.5', { messages: [user('a')], inferenceConfig: { temperature: 1.5 } }, /'inferenceConfig\.temperature'.*less than or equal to 1/],
    ['topP -0.1', { messages: [user('a')], inferenceConfig: { topP: -0.1 } }, /'inferenceConfig\.topP'.*greater than or equal to 0/],
    ['maxTokens 0', { messages: [user('a')], inferenceConfig: { maxTokens: 0 } }, /'inferenceConfig\.maxTokens'.*greater than or equal to 1/],
    ['maxTokens as text', { messages: [user('a')], inferenceConfig: { maxTokens: '10' } }, /'inferenceConfig\.maxTokens'.*must be a number/],
    ['stop sequences that are not strings', { messages: [user('a')], inferenceConfig: { stopSequences: [1] } }, /'inferenceConfig\.stopSequences'/],
  ])('rejects %s with a ValidationException', (_label, body, expected) => {
    const error = emulated(() => validateConverseRequest(body));
    expect(error.exception).toBe('ValidationException');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(expected);
  });

  it('accepts a multi-turn request with system text and inference settings', () => {
    const checked = validateConverseRequest({
      system: [{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }],
      messages: [user('What is 2+2?'), assistant('4'), { role: 'user', content: [{ text: 'And 3+3?' }, { text: 'Explain.' }] }],
      inferenceConfig: { maxTokens: 100, temperature: 0, topP: 1, stopSequences: ['END'] },
      guardrailConfig: { guardrailIdentifier: 'g', guardrailVersion: '1' },
    });
    expect(checked).toMatchObject({ system: ['Be brief.'], maxTokens: 100, stopSequences: ['END'], hasGuardrailConfig: true });
    expect(checked.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(lastUserText(checked)).toBe('And 3+3?\nExplain.');
    expect(inputText(checked)).toBe('Be brief.\nWhat is 2+2?\n4\nAnd 3+3?\nExplain.');
  });

  it('leaves limits unset when there is no inferenceConfig', () => {
    const checked = validateConverseRequest({ messages: [user('hi')] });
    expect(checked).toMatchObject({ system: [], hasSystem: false, maxTokens: undefined, stopSequences: [], hasGuardrailConfig: false });
  });

  it('says whether the request has a system field with blocks', () => {
    expect(validateConverseRequest({ messages: [user('hi')], system: [{ text: 'Be brief.' }] }).hasSystem).toBe(true);
    expect(validateConverseRequest({ messages: [user('hi')], system: [] }).hasSystem).toBe(false);
  });
});

describe('validateConverseRequest: blobs, as Bedrock reads them', () => {
  const pdf = Buffer.from('%PDF-1.7\n%%EOF\n', 'latin1');
  const withBlock = (block: object) => ({ messages: [{ role: 'user', content: [{ text: 'Read this.' }, block] }] });
  const doc = (format: string, bytes: string) => ({ document: { format, name: 'file', source: { bytes } } });

  it('accepts base64 bytes, a real PDF, and sources without bytes', () => {
    expect(() => validateConverseRequest(withBlock(doc('pdf', pdf.toString('base64'))))).not.toThrow();
    expect(() => validateConverseRequest(withBlock(doc('txt', Buffer.from('plain text').toString('base64'))))).not.toThrow();
    expect(() => validateConverseRequest(withBlock({ image: { format: 'png', source: { s3Location: { uri: 's3://b/k.png' } } } }))).not.toThrow();
    expect(() => validateConverseRequest(withBlock({ video: { format: 'mp4', source: { bytes: 'AAAAGGZ0eXA=' } } }))).not.toThrow();
  });

  it.each([
    ['document bytes that are not base64', doc('txt', 'not base64!'), /'messages\.0\.content\.1\.document\.source\.bytes'.*Base64/],
    ['image bytes that are not a string', { image: { format: 'png', source: { bytes: [1, 2, 3] } } }, /messages\.0\.content\.1\.image\.source\.bytes/],
    ['base64 with bad padding', doc('txt', 'YWJj='), /Base64/],
    // What the SDK sends when handed base64 text instead of bytes: the base64 of the base64.
    ['a pdf document whose bytes are not a PDF', doc('pdf', Buffer.from(pdf.toString('base64')).toString('base64')), /The PDF specified was not valid/],
    [
      'a pdf nested in a tool result that is not a PDF',
      { toolResult: { toolUseId: 't', content: [{ text: 'x' }, doc('pdf', Buffer.from('hello').toString('base64'))] } },
      /messages\.0\.content\.1\.toolResult\.content\.1\.document\.source\.bytes/,
    ],
  ])('rejects %s with a ValidationException', (_label, block, expected) => {
    const error = emulated(() => validateConverseRequest(withBlock(block)));
    expect(error.exception).toBe('ValidationException');
    expect(error.message).toMatch(expected);
  });
});

describe('readBody', () => {
  const request = (chunks: string[]): Request => Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as Request;

  it('returns a body within the limit', async () => {
    expect((await readBody(request(['ab', 'cd']), 4)).toString()).toBe('abcd');
  });

  it('reads a body over the limit to its end, then fails with its size', async () => {
    const chunks = ['abc', 'def', 'ghi'];
    const stream = request(chunks);
    const error = await readBody(stream, 4).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ size: 9, limit: 4 });
    expect((stream as unknown as Readable).readableEnded).toBe(true);
  });
});

describe('resolveBehaviour', () => {
  it('fills defaults from no layers', () => {
    expect(resolveBehaviour([])).toEqual({
      latency: { baseMs: 0, perOutputTokenMs: 0, jitterMs: 0 },
      faults: {},
      midStreamFaults: {},
      answer: { mode: 'plausible', rules: [], outputTokens: 48 },
      contextWindow: 128_000,
      promptRouter: undefined,
    });
  });

  it('layers field by field, later layers winning and undefined layers skipped', () => {
    const defaults: ModelBehaviourInput = {
      latency: { baseMs: 100, jitterMs: 10 },
      faults: { ThrottlingException: 0.1, InternalServerException: 0.05 },
      answer: { mode: 'echo', confidence: 0.9 },
    };
    const model: ModelBehaviourInput = {
      latency: { baseMs: 5 },
      faults: { ThrottlingException: 0.5 },
      midStreamFaults: { modelStreamErrorException: 0.2 },
      answer: { confidence: 0.4, outputTokens: 10 },
      contextWindow: 4_000,
      promptRouter: { models: [MODEL], longPromptChars: 10 },
    };
    const behaviour = resolveBehaviour([defaults, undefined, model], 200_000);
    expect(behaviour.latency).toEqual({ baseMs: 5, perOutputTokenMs: 0, jitterMs: 10 });
    expect(behaviour.faults).toEqual({ ThrottlingException: 0.5, InternalServerException: 0.05 });
    expect(behaviour.midStreamFaults).toEqual({ modelStreamErrorException: 0.2 });
    expect(behaviour.answer).toMatchObject({ mode: 'echo', confidence: 0.4, outputTokens: 10 });
    expect(behaviour.contextWindow).toBe(4_000);
    expect(behaviour.promptRouter).toEqual({ models: [MODEL], longPromptChars: 10 });
    expect(resolveBehaviour([defaults], 200_000).contextWindow).toBe(200_000);
  });

  it('layers scenario entries as written: a model entry does not refill the defaults it leaves out', () => {
    const scenario = scenarioSchema.parse({
      defaults: { answer: { mode: 'echo', outputTokens: 20 }, latency: { baseMs: 100 } },
      models: { [MODEL]: { answer: { confidence: 0.4 }, latency: { jitterMs: 5 } } },
    });
    const behaviour = resolveBehaviour([scenario.defaults, scenario.models[MODEL]]);
    expect(behaviour.answer).toEqual({ mode: 'echo', rules: [], outputTokens: 20, confidence: 0.4 });
    expect(behaviour.latency).toEqual({ baseMs: 100, perOutputTokenMs: 0, jitterMs: 5 });
  });
});

function context(text: string, layer: ModelBehaviourInput = {}, extra: Partial<ComposeContext> = {}, inference?: object): ComposeContext {
  return {
    modelId: MODEL,
    behaviour: resolveBehaviour([layer]),
    request: validateConverseRequest({ messages: [user(text)], inferenceConfig: inference, guardrailConfig: {} }),
    replay: undefined,
    replayModel: undefined,
    replayFallback: false,
    ...extra,
  };
}

const rule = (match: string, reply: string, more: { confidence?: number; stopReason?: string } = {}) => ({ match, flags: 'i', reply, ...more });

describe('composeAnswer', () => {
  it('answers from the first matching rule, with its confidence line', () => {
    const layer: ModelBehaviourInput = {
      answer: { confidence: 0.5, rules: [rule('capital of france', 'Paris.', { confidence: 0.92 }), rule('france', 'About France.')] },
    };
    const answer = composeAnswer(context('What is the CAPITAL of France?', layer));
    expect(answer).toMatchObject({ text: 'Paris.\nConfidence: 0.92', stopReason: 'end_turn' });
    expect(answer.outputTokens).toBe(estimateTokens(answer.text));
    expect(composeAnswer(context('Tell me about France', layer)).text).toBe('About France.\nConfidence: 0.50');
  });

  it('uses a rule stop reason', () => {
    const layer: ModelBehaviourInput = { answer: { rules: [rule('weather', 'calling a tool', { stopReason: 'tool_use' })] } };
    expect(composeAnswer(context('weather in Paris', layer)).stopReason).toBe('tool_use');
  });

  it('echoes the last user message in echo mode', () => {
    const answer = composeAnswer(context('repeat after me', { answer: { mode: 'echo' } }));
    expect(answer).toMatchObject({ text: 'repeat after me', stopReason: 'end_turn', inputTokens: estimateTokens('repeat after me') });
  });

  it('writes a plausible answer of about the configured length', () => {
    for (const outputTokens of [48, 100, 500]) {
      const answer = composeAnswer(context('What is the capital of France?', { answer: { outputTokens } }));
      expect(answer.text).toMatch(/^Emulated answer from/);
      expect(answer.stopReason).toBe('end_turn');
      // Cut at a word boundary, so a little under the target, never over by more than the final period.
      expect(answer.outputTokens).toBeGreaterThanOrEqual(outputTokens * 0.95);
      expect(answer.outputTokens).toBeLessThanOrEqual(outputTokens + 1);
    }
    expect(composeAnswer(context('What is the capital of France?')).text).toContain(`${MODEL} about "What is the capital of France?"`);
    const confident = composeAnswer(context('What is the capital of France?', { answer: { confidence: 0.75 } }));
    expect(confident.text).toMatch(/\.\nConfidence: 0\.75$/);
  });

  it('cuts at maxTokens with stopReason max_tokens', () => {
    const answer = composeAnswer(context('Explain queues', { answer: { outputTokens: 200 } }, {}, { maxTokens: 10 }));
    expect(answer.stopReason).toBe('max_tokens');
    expect(answer.outputTokens).toBe(10);
    expect(estimateTokens(answer.text)).toBeLessThanOrEqual(10);
  });

  it('cuts at the earliest stop sequence', () => {
    const answer = composeAnswer(context('alpha STOP beta END gamma', { answer: { mode: 'echo' } }, {}, { stopSequences: ['END', 'STOP'] }));
    expect(answer).toMatchObject({ text: 'alpha ', stopReason: 'stop_sequence', outputTokens: estimateTokens('alpha ') });
  });

  it('blocks a prompt matching the guardrail pattern, before any rule', () => {
    const layer: ModelBehaviourInput = { answer: { guardrailPattern: 'forbidden', rules: [rule('.*', 'anything')] } };
    const answer = composeAnswer(context('tell me the FORBIDDEN thing', layer));
    expect(answer.stopReason).toBe('guardrail_intervened');
    expect(answer.text).toMatch(/guardrail/);
  });

  it('lets the prompt through when the request configures no guardrail, as Bedrock does', () => {
    const ctx = context('tell me the FORBIDDEN thing', { answer: { guardrailPattern: 'forbidden', mode: 'echo' } });
    const unguarded = { ...ctx, request: validateConverseRequest({ messages: [user('tell me the FORBIDDEN thing')] }) };
    expect(composeAnswer(unguarded).stopReason).toBe('end_turn');
  });

  it('throws "Input is too long" when the input exceeds the context window', () => {
    const error = emulated(() => composeAnswer(context('word '.repeat(100), { contextWindow: 50 })));
    expect(error.exception).toBe('ValidationException');
    expect(error.message).toMatch(/^Input is too long for requested model/);
    expect(error.message).toContain('accepts 50');
  });

  describe('replay mode', () => {
    const recorded: ReplayAnswer = { text: 'Four.', inputTokens: 321, outputTokens: 7, recordedCostUsd: 0.001, correct: true };
    const dataset: ReplayDataset = {
      lookup: (prompt, model) => (prompt === 'What is 2+2?' && model === 'gpt-4' ? recorded : undefined),
      models: () => ['gpt-4'],
      size: 1,
    };
    const replay = (text: string, extra: Partial<ComposeContext> = {}) =>
      context(text, { answer: { mode: 'replay' } }, { replay: dataset, replayModel: 'gpt-4', ...extra });

    it('returns the recorded text and token counts, matching the prompt after trimming', () => {
      expect(composeAnswer(replay('  What is 2+2?\r\n'))).toEqual({ text: 'Four.', stopReason: 'end_turn', inputTokens: 321, outputTokens: 7 });
    });

    it('fails a prompt the dataset does not hold with a ValidationException', () => {
      const error = emulated(() => composeAnswer(replay('What is 3+3?')));
      expect(error.exception).toBe('ValidationException');
      expect(error.message).toMatch(/no recorded answer of gpt-4/);
    });

    it('fails when no replay model is mapped to the model id', () => {
      expect(emulated(() => composeAnswer(replay('What is 2+2?', { replayModel: undefined }))).message).toMatch(/no replay model mapped to/);
    });

    it('matches a prompt whose message starts with a folded system prompt, as sent to a model that takes none', () => {
      const request = validateConverseRequest({
        messages: [{ role: 'user', content: [{ text: 'You answer with one word.' }, { text: 'What is 2+2?' }] }],
      });
      expect(composeAnswer({ ...replay('unused'), request })).toMatchObject({ text: 'Four.', inputTokens: 321 });
    });

    it('answers plausibly on a miss when fallback is on', () => {
      const answer = composeAnswer(replay('What is 3+3?', { replayFallback: true }));
      expect(answer.text).toMatch(/^Emulated answer from/);
    });
  });
});

describe('costOf and priceTable', () => {
  const sonnet = { inputPer1k: 0.003, outputPer1k: 0.015 };
  const micro = { inputPer1k: 0.000035, outputPer1k: 0.00014 };
  const nova = { inputPer1k: 0.0008, outputPer1k: 0.0032 };

  it('prices input and output per 1K tokens, rounded to 1e-8 USD', () => {
    expect(costOf({ inputTokens: 1000, outputTokens: 1000 }, sonnet)).toBe(0.018);
    expect(costOf({ inputTokens: 123_456, outputTokens: 7_890 }, sonnet)).toBe(0.488718);
    expect(costOf({ inputTokens: 3, outputTokens: 0 }, { inputPer1k: 0.1, outputPer1k: 0 })).toBe(0.0003);
    expect(costOf({ inputTokens: 0, outputTokens: 0 }, sonnet)).toBe(0);
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 0 }, micro)).toBe(0.035);
  });

  const lookup = priceTable([
    { id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', price: sonnet },
    { id: 'amazon.nova-micro-v1:0', price: micro },
    { id: 'amazon.nova-pro-v1:0', price: nova },
  ]);

  it.each([
    ['amazon.nova-micro-v1:0', micro],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', sonnet],
    ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', nova],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0', sonnet],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0', nova],
    ['us.amazon.nova-micro-v1:0', micro],
    ['eu.amazon.nova-pro-v1:0', nova],
    ['apac.amazon.nova-pro-v1:0', nova],
    ['us-gov.amazon.nova-pro-v1:0', nova],
    ['global.amazon.nova-micro-v1:0', micro],
    ['amazon.titan-text-express-v1', undefined],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', undefined],
    ['arn:aws:bedrock:us-east-1:123456789012:prompt-router/anthropic.claude:1', undefined],
  ])('%s', (id, price) => {
    expect(lookup(id)).toEqual(price);
  });

  it('baseModelId strips a foundation-model or inference-profile ARN', () => {
    expect(baseModelId('arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0')).toBe('amazon.nova-pro-v1:0');
    expect(baseModelId('arn:aws-us-gov:bedrock:us-gov-west-1:1:inference-profile/us-gov.a.b-v1:0')).toBe('us-gov.a.b-v1:0');
    expect(baseModelId('amazon.nova-pro-v1:0')).toBe('amazon.nova-pro-v1:0');
  });
});
