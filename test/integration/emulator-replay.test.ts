import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf } from '../../src/core/price.js';
import { prepareScenario } from '../../src/emulator/load-scenario.js';
import { loadRouterBench, type RouterBenchRow } from '../../src/emulator/replay/load-routerbench.js';
import { startHarness, TRANSPORTS, userText, type Harness } from '../helpers/emulator-harness.js';

const ARC = fileURLToPath(new URL('../../../shared/data/routerbench-train/arc_challenge_train.csv', import.meta.url));
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const MICRO = 'amazon.nova-micro-v1:0';
/** Takes no system prompt: the adapter folds one into the user message. */
const MIXTRAL = 'mistral.mixtral-8x7b-instruct-v0:1';
/** GPT-4-1106's list price, which RouterBench's recorded costs were billed at. */
const GPT4_PRICE = { inputPer1k: 0.01, outputPer1k: 0.03 };

describe.each(TRANSPORTS)('replaying RouterBench answers over %s', (transport) => {
  let h: Harness;
  let rows: RouterBenchRow[];

  beforeAll(async () => {
    const loaded = await prepareScenario(
      {
        defaults: { answer: { mode: 'replay' } },
        replay: {
          routerbench: [ARC],
          modelMap: { [SONNET]: 'gpt-4-1106-preview', [MICRO]: 'mistralai/mistral-7b-chat', [MIXTRAL]: 'mistralai/mixtral-8x7b-chat' },
        },
      },
      'test scenario',
      '/',
    );
    rows = (await loadRouterBench([ARC])).rows;
    h = await startHarness(transport, { scenario: loaded.scenario, ...(loaded.replay ? { replay: loaded.replay } : {}) });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers a prompt with the recorded response and usage of the mapped model', async () => {
    const row = rows[10];
    if (row === undefined) throw new Error('the ARC file has fewer rows than expected');
    const recorded = row.answers['gpt-4-1106-preview'];
    const result = await h.models.converse({ modelId: SONNET, messages: userText(row.prompt) });
    expect(result.text).toBe(recorded?.text);

    // Priced at GPT-4's rates, the replayed usage costs what RouterBench recorded.
    expect(costOf(result.usage, GPT4_PRICE)).toBeCloseTo(recorded?.costUsd ?? -1, 8);

    const small = await h.models.converseStream({ modelId: MICRO, messages: userText(row.prompt) });
    expect(small.text).toBe(row.answers['mistralai/mistral-7b-chat']?.text);
    expect(small.usage.inputTokens).toBe(result.usage.inputTokens);
  });

  it('matches the recorded prompt when a system prompt was folded into it for a model that takes none', async () => {
    const row = rows[3];
    if (row === undefined) throw new Error('the ARC file has fewer rows than expected');
    const system = ['Answer with the letter of the right choice.', 'After your answer, write "Confidence: " and a number.'];
    const request = { system, messages: userText(row.prompt) };
    const whole = await h.models.converse({ modelId: MIXTRAL, ...request });
    expect(whole.text).toBe(row.answers['mistralai/mixtral-8x7b-chat']?.text);
    const streamed = await h.models.converseStream({ modelId: MIXTRAL, ...request });
    expect(streamed.text).toBe(whole.text);
    // A model that takes a system prompt gets it as `system`, and matches as before.
    const top = await h.models.converse({ modelId: SONNET, ...request });
    expect(top.text).toBe(row.answers['gpt-4-1106-preview']?.text);
  });

  it('refuses a prompt that is not in the recorded data', async () => {
    await expect(h.models.converse({ modelId: SONNET, messages: userText('not a RouterBench prompt') })).rejects.toMatchObject({
      kind: 'invalid-request',
      message: expect.stringContaining('no recorded answer') as unknown,
    });
  });
});
