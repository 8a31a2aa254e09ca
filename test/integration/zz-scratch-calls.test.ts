import { afterEach, describe, expect, it } from 'vitest';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

type TierInput = { name: string; models: { id: string; contextWindow: number }[] };
const longText = (tokens: number): string => 'word '.repeat(Math.ceil((tokens * 4) / 5));

describe('scratch: window fallback inside a parallel vote', () => {
  it('a window-fallback model votes once per job', async () => {
    fleet = await startFleetHarness({
      fleet: (input) => {
        for (const tier of input['tiers'] as TierInput[]) {
          for (const m of tier.models) if (m.id === MODELS.small[0]) m.contextWindow = 50;
          for (const m of tier.models) if (m.id === MODELS.small[1]) m.contextWindow = 80;
        }
        input['fallbacks'] = { contextWindow: MODELS.large[1] };
        input['cascade'] = {
          thresholds: { small: 0.7, medium: 0.8 },
          policies: [
            {
              name: 'vote',
              tasks: ['quiz'],
              scorer: 'agreement',
              extractor: { kind: 'choice', letters: 'ABCD' },
              votes: { small: { voters: 2, quorum: 2, parallel: true }, medium: { voters: 1, quorum: 2 } },
            },
          ],
        };
      },
      scenario: { defaults: { answer: { rules: [{ match: '\\bq1\\b', reply: 'A' }] } } },
    });
    await fleet.producer.enqueue({ id: 'pv', task: 'quiz', strategy: 'cascade', prompt: `q1: which letter? ${longText(200)}` });
    const result = await fleet.waitFor('pv');
    console.log(JSON.stringify({ answer: result.answer, votes: result.votes, attempts: result.attempts.map((a) => [a.tier, a.model, a.outcome, a.vote]) }, null, 1));
    const calls = fleet.emulator.state.stats.snapshot().models[MODELS.large[1]]?.calls ?? 0;
    console.log('nova-pro calls', calls);
    const byModel = (result.votes ?? []).map((v) => v.model);
    expect(new Set(byModel).size).toBe(byModel.length);
  });
});
