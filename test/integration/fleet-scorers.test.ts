import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-scorers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Small answers plainly, or hedges on "unsure"; the judge (a medium model) grades answers about "good" high and others low. */
const SCENARIO = {
  seed: 5,
  defaults: { answer: { mode: 'plausible', outputTokens: 12 } },
  models: {
    [MODELS.small[0]]: {
      answer: { rules: [{ match: '\\bunsure\\b', reply: 'It might be 12, I am not sure.' }, { match: '.', reply: 'The answer is 12.' }] },
    },
    [MODELS.medium[1]]: {
      answer: { rules: [{ match: 'Question:\\s+good', reply: 'Score: 9' }, { match: 'Question:', reply: 'Score: 2' }] },
    },
  },
};

function withPolicy(policy: Record<string, unknown>) {
  return (input: Record<string, unknown>): void => {
    input.cascade = { thresholds: { small: 0.7, medium: 0.7 }, policies: [{ tasks: ['qa'], ...policy }] };
  };
}

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('scorers of a cascade policy', () => {
  it('heuristic: a plain answer stays on small, a hedged one escalates', async () => {
    fleet = await startFleetHarness({ fleet: withPolicy({ scorer: 'heuristic' }), scenario: SCENARIO });
    await fleet.producer.enqueue({ id: 'h1', task: 'qa', strategy: 'cascade', prompt: 'How many months?' });
    await fleet.producer.enqueue({ id: 'h2', task: 'qa', strategy: 'cascade', prompt: 'unsure: how many months?' });
    const [plain, hedged] = [await fleet.waitFor('h1'), await fleet.waitFor('h2')];
    expect(plain.answer).toMatchObject({ tier: 'small', confidence: 0.9 });
    expect(hedged.attempts[0]).toMatchObject({ tier: 'small', outcome: 'escalated', confidence: 0.4 });
    expect(hedged.answer?.tier).toBe('medium');
  });

  it('judge: a model grades the answer; a low grade escalates, and the judge’s call is in the result and the cost', async () => {
    fleet = await startFleetHarness({ fleet: withPolicy({ scorer: 'judge', judge: { model: MODELS.medium[1] } }), scenario: SCENARIO });
    await fleet.producer.enqueue({ id: 'j1', task: 'qa', strategy: 'cascade', prompt: 'good question: how many months?' });
    await fleet.producer.enqueue({ id: 'j2', task: 'qa', strategy: 'cascade', prompt: 'bad question: how many months?' });
    const good = await fleet.waitFor('j1');
    expect(good.answer).toMatchObject({ tier: 'small', text: 'The answer is 12.', confidence: 0.9 });
    expect(good.answer?.acceptedBecause).toMatch(/judge .* graded it 9\.0\/10/);
    expect(good.attempts.map((a) => [a.tier, a.model, a.outcome])).toEqual([
      ['small', MODELS.small[0], 'accepted'],
      ['medium', MODELS.medium[1], 'judged'],
    ]);
    expect(good.costUsd).toBeCloseTo(good.attempts[0]!.costUsd + good.attempts[1]!.costUsd);

    const bad = await fleet.waitFor('j2');
    expect(bad.attempts[0]).toMatchObject({ tier: 'small', outcome: 'escalated', confidence: 0.2 });
    expect(bad.attempts[1]).toMatchObject({ outcome: 'judged' });
    // Medium's answer is judged too, just as low, so the job climbs to the top of its path.
    expect(bad.attempts.map((a) => [a.tier, a.outcome])).toEqual([
      ['small', 'escalated'],
      ['medium', 'judged'],
      ['medium', 'escalated'],
      ['medium', 'judged'],
      ['large', 'accepted'],
    ]);
    expect(bad.answer?.acceptedBecause).toMatch(/top of the path: not graded/);
    expect(bad.answer?.tier).toBe('large');
  });

  it('judge: a tier without a threshold accepts whatever the grade, so its answer is not judged (no paid call)', async () => {
    const policy = withPolicy({ scorer: 'judge', judge: { model: MODELS.medium[1] }, thresholds: { small: 0.7 } });
    fleet = await startFleetHarness({ fleet: policy, scenario: SCENARIO });
    await fleet.producer.enqueue({ id: 'j3', task: 'qa', strategy: 'cascade', prompt: 'bad question: how many months?' });
    const result = await fleet.waitFor('j3');
    expect(result.attempts.map((a) => [a.tier, a.outcome])).toEqual([
      ['small', 'escalated'],
      ['medium', 'judged'],
      ['medium', 'accepted'],
    ]);
    expect(result.answer?.tier).toBe('medium');
    expect(result.answer?.acceptedBecause).toMatch(/tier medium has no threshold: not graded/);
  });

  it('custom: a user module scores the answer; a broken one scores 0 and the job escalates', async () => {
    const module = join(dir, 'score.mjs');
    writeFileSync(module, 'export function score(input) { return input.metadata.trust === true ? 0.95 : 0.1; }\n');
    // The default export is the scorer.
    const withDefault = join(dir, 'score-default.mjs');
    writeFileSync(withDefault, "export { score as default } from './score.mjs';\n");
    fleet = await startFleetHarness({ fleet: withPolicy({ scorer: 'custom', module: withDefault }), scenario: SCENARIO });
    await fleet.producer.enqueue({ id: 'k1', task: 'qa', strategy: 'cascade', prompt: 'How many months?', metadata: { trust: true } });
    await fleet.producer.enqueue({ id: 'k2', task: 'qa', strategy: 'cascade', prompt: 'How many months?' });
    expect((await fleet.waitFor('k1')).answer).toMatchObject({ tier: 'small', confidence: 0.95 });
    expect((await fleet.waitFor('k2')).answer?.tier).toBe('large');

    await fleet.close();
    fleet = await startFleetHarness({ fleet: withPolicy({ scorer: 'custom', module: join(dir, 'missing.mjs') }), scenario: SCENARIO });
    await fleet.producer.enqueue({ id: 'k3', task: 'qa', strategy: 'cascade', prompt: 'How many months?' });
    const broken = await fleet.waitFor('k3');
    expect(broken.attempts[0]).toMatchObject({ outcome: 'escalated', confidence: 0 });
    expect(broken.answer?.tier).toBe('large');
    expect(broken.answer?.acceptedBecause).toMatch(/custom scorer failed: cannot read the custom scorer module .*missing\.mjs \(ENOENT\)/);
    expect(broken.attempts.map((a) => a.tier)).toEqual(['small', 'medium', 'large']);
  });
});
