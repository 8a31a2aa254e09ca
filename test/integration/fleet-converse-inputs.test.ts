import { afterEach, describe, expect, it } from 'vitest';
import { startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

/**
 * Jobs whose requests Bedrock would refuse unless the Converse adapter
 * shapes them: files given as base64 in the job's JSON, and system prompts
 * for models that take none. Real Redis, the emulator, the real SDK.
 */

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const MISTRAL = 'mistral.mistral-7b-instruct-v0:2';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

type TierInput = { name: string; models: { id: string }[] };
/** The small tier served by Mistral 7B Instruct alone, which takes no system prompt. */
const mistralSmallTier = (input: Record<string, unknown>): void => {
  const small = (input['tiers'] as TierInput[]).find((t) => t.name === 'small');
  if (small === undefined) throw new Error('the test fleet has no small tier');
  small.models = small.models.slice(0, 1).map((m) => ({ ...m, id: MISTRAL }));
};

describe('a job with a PDF document in its messages', () => {
  it('completes: the file reaches the model as a PDF, not as its base64 text', async () => {
    fleet = await startFleetHarness({ scenario: { defaults: { answer: { mode: 'plausible', outputTokens: 16 } } } });
    await fleet.producer.enqueue({
      id: 'pdf-1',
      tier: 'small',
      messages: [
        {
          role: 'user',
          content: [
            { text: 'Summarise the attached report.' },
            { document: { format: 'pdf', name: 'report', source: { bytes: PDF.toString('base64') } } },
          ],
        },
      ],
    });
    const result = await fleet.waitFor('pdf-1');
    expect(result.error).toBeUndefined();
    expect(result.state).toBe('completed');
    expect(result.answer?.text).toMatch(/^Emulated answer/);
  });
});

describe('a cascade job on a model that takes no system prompt', () => {
  it('completes on that model, its confidence instruction folded into the message', async () => {
    fleet = await startFleetHarness({
      fleet: mistralSmallTier,
      scenario: { defaults: { answer: { mode: 'plausible', confidence: 0.9, outputTokens: 16 } } },
    });
    await fleet.producer.enqueue({ id: 'cascade-1', strategy: 'cascade', prompt: 'What is 2 + 2?', system: 'Answer briefly.' });
    const result = await fleet.waitFor('cascade-1');
    expect(result.error).toBeUndefined();
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ tier: 'small', model: MISTRAL, confidence: 0.9 });
    expect(result.attempts.map((a) => [a.model, a.outcome])).toEqual([[MISTRAL, 'accepted']]);
  });
});
