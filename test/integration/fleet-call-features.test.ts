import { afterEach, describe, expect, it } from 'vitest';
import { MODELS, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

/**
 * The call features on real Redis, the emulator and the real SDK: the
 * response cache, context-window and content-policy fallbacks, and
 * model-family template variants. See docs/call-features.md.
 */

let fleet: FleetHarness | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const calls = (h: FleetHarness, model: string): number => h.emulator.state.stats.snapshot().models[model]?.calls ?? 0;
const totalCalls = (h: FleetHarness): number => h.emulator.state.stats.snapshot().totals.calls;

type Input = Record<string, unknown>;
type TierInput = { name: string; models: { id: string; contextWindow: number }[] };
/** Sets the context window of some models of the test fleet. */
const windows =
  (sizes: Record<string, number>) =>
  (input: Input): void => {
    for (const tier of input['tiers'] as TierInput[]) {
      for (const model of tier.models) model.contextWindow = sizes[model.id] ?? model.contextWindow;
    }
  };

/** About `tokens` input tokens at four characters a token. */
const longText = (tokens: number): string => 'word '.repeat(Math.ceil((tokens * 4) / 5));

describe('response cache', () => {
  const cached = (input: Input): void => {
    input['cache'] = { mode: 'deterministic', ttlSeconds: 60 };
  };

  it('answers the same deterministic job twice with one model call; the second attempt is cached and free', async () => {
    fleet = await startFleetHarness({ fleet: cached, scenario: { defaults: { answer: { mode: 'plausible', outputTokens: 16 } } } });
    const spec = { tier: 'small', prompt: 'Name three primary colours.', inference: { temperature: 0, maxTokens: 64 } };
    await fleet.producer.enqueue({ id: 'det-1', ...spec });
    const first = await fleet.waitFor('det-1');
    await fleet.producer.enqueue({ id: 'det-2', ...spec });
    const second = await fleet.waitFor('det-2');

    expect(first.state).toBe('completed');
    expect(second.state).toBe('completed');
    expect(totalCalls(fleet)).toBe(1);
    expect(first.attempts).toHaveLength(1);
    expect(first.attempts[0]?.cached).toBeUndefined();
    expect(first.attempts[0]?.costUsd).toBeGreaterThan(0);
    expect(second.attempts).toHaveLength(1);
    expect(second.attempts[0]).toMatchObject({ model: MODELS.small[0], outcome: 'accepted', cached: true, costUsd: 0 });
    expect(second.attempts[0]?.usage).toEqual(first.attempts[0]?.usage);
    expect(second.answer?.text).toBe(first.answer?.text);
    expect(second.answer?.costUsd).toBe(0);
    expect(second.costUsd).toBe(0);
  });

  it.each([
    { scope: undefined, globexCached: false },
    { scope: 'fleet', globexCached: true },
  ])("keeps each tenant's answers to itself unless the cache is fleet-wide (scope $scope)", async ({ scope, globexCached }) => {
    fleet = await startFleetHarness({
      fleet: (input) => {
        input['cache'] = { mode: 'deterministic', ttlSeconds: 60, ...(scope === undefined ? {} : { scope }) };
      },
    });
    const spec = { tier: 'small', prompt: 'Summarise: ACME Q3 layoffs affect 412 staff.', inference: { temperature: 0 } };
    await fleet.producer.enqueue({ id: 'acme-1', tenant: 'acme', ...spec });
    await fleet.waitFor(scopedId('acme', 'acme-1'));
    await fleet.producer.enqueue({ id: 'globex-1', tenant: 'globex', ...spec });
    const guess = await fleet.waitFor(scopedId('globex', 'globex-1'));
    await fleet.producer.enqueue({ id: 'acme-2', tenant: 'acme', ...spec });
    const again = await fleet.waitFor(scopedId('acme', 'acme-2'));
    expect(guess.attempts[0]?.cached === true).toBe(globexCached);
    expect(again.attempts[0]?.cached).toBe(true);
    expect(totalCalls(fleet)).toBe(globexCached ? 1 : 2);
  });

  it('does not cache a job sampled at temperature 0.7', async () => {
    fleet = await startFleetHarness({ fleet: cached });
    const spec = { tier: 'small', prompt: 'Name three primary colours.', inference: { temperature: 0.7 } };
    await fleet.producer.enqueue({ id: 'warm-1', ...spec });
    await fleet.waitFor('warm-1');
    await fleet.producer.enqueue({ id: 'warm-2', ...spec });
    const second = await fleet.waitFor('warm-2');
    expect(totalCalls(fleet)).toBe(2);
    expect(second.attempts[0]?.cached).toBeUndefined();
    expect(second.attempts[0]?.costUsd).toBeGreaterThan(0);
  });

  it('serves a cached answer while the model\'s breaker is open, without a call and without touching the breaker', async () => {
    fleet = await startFleetHarness({ fleet: cached });
    const spec = { tier: 'small', inference: { temperature: 0 } };
    await fleet.producer.enqueue({ id: 'warm', prompt: 'Name three primary colours.', ...spec });
    const first = await fleet.waitFor('warm');
    expect(first.answer?.model).toBe(MODELS.small[0]);

    fleet.emulator.state.override(MODELS.small[0], { faults: { ServiceUnavailableException: 1 } });
    for (let i = 0; i < 3; i += 1) {
      await fleet.producer.enqueue({ id: `trip-${String(i)}`, prompt: `Count to ${String(i + 2)}.`, ...spec });
      expect((await fleet.waitFor(`trip-${String(i)}`)).answer?.model).toBe(MODELS.small[1]);
    }
    expect(fleet.breakers.state(MODELS.small[0])).toBe('open');
    const callsWhenOpened = calls(fleet, MODELS.small[0]);

    await fleet.producer.enqueue({ id: 'while-open', prompt: 'Name three primary colours.', ...spec });
    const served = await fleet.waitFor('while-open');
    expect(served.state).toBe('completed');
    expect(served.attempts).toHaveLength(1);
    expect(served.attempts[0]).toMatchObject({ model: MODELS.small[0], outcome: 'accepted', cached: true, costUsd: 0 });
    expect(served.answer?.text).toBe(first.answer?.text);
    expect(calls(fleet, MODELS.small[0])).toBe(callsWhenOpened);
    expect(fleet.breakers.state(MODELS.small[0])).toBe('open');
  });

  it('is off by default: the same deterministic job calls the model twice', async () => {
    fleet = await startFleetHarness();
    const spec = { tier: 'small', prompt: 'Name three primary colours.', inference: { temperature: 0 } };
    await fleet.producer.enqueue({ id: 'off-1', ...spec });
    await fleet.waitFor('off-1');
    await fleet.producer.enqueue({ id: 'off-2', ...spec });
    await fleet.waitFor('off-2');
    expect(totalCalls(fleet)).toBe(2);
  });
});

describe('context-window fallback', () => {
  it("skips a tier model whose window is smaller than the input, without calling it", async () => {
    fleet = await startFleetHarness({ fleet: windows({ [MODELS.small[0]]: 50 }) });
    await fleet.producer.enqueue({ id: 'long-1', tier: 'small', prompt: longText(200) });
    const result = await fleet.waitFor('long-1');
    expect(result.state).toBe('completed');
    expect(result.answer?.model).toBe(MODELS.small[1]);
    expect(calls(fleet, MODELS.small[0])).toBe(0);
    expect(result.attempts.map((a) => [a.model, a.outcome, a.fallback])).toEqual([
      [MODELS.small[0], 'skipped', false],
      [MODELS.small[1], 'accepted', true],
    ]);
    expect(result.attempts[0]?.note).toMatch(/exceeds its context window of 50/);
  });

  it('moves on when Bedrock says the input is too long (the estimate was low)', async () => {
    // The fleet file thinks the window is large; the (emulated) model knows better.
    fleet = await startFleetHarness({ scenario: { models: { [MODELS.small[0]]: { contextWindow: 50 } } } });
    await fleet.producer.enqueue({ id: 'long-2', tier: 'small', prompt: longText(200) });
    const result = await fleet.waitFor('long-2');
    expect(result.state).toBe('completed');
    expect(result.answer?.model).toBe(MODELS.small[1]);
    expect(result.attempts[0]).toMatchObject({ model: MODELS.small[0], outcome: 'error', error: { kind: 'context-window', code: 'ValidationException' } });
  });

  it('goes beyond the tier to the configured larger-window model when no tier model fits', async () => {
    fleet = await startFleetHarness({
      fleet: (input) => {
        windows({ [MODELS.small[0]]: 50, [MODELS.small[1]]: 80 })(input);
        input['fallbacks'] = { contextWindow: MODELS.large[1] };
      },
    });
    await fleet.producer.enqueue({ id: 'long-3', tier: 'small', prompt: longText(200) });
    const result = await fleet.waitFor('long-3');
    expect(result.state).toBe('completed');
    expect(result.answer?.model).toBe(MODELS.large[1]);
    expect(result.attempts.map((a) => [a.model, a.outcome])).toEqual([
      [MODELS.small[0], 'skipped'],
      [MODELS.small[1], 'skipped'],
      [MODELS.large[1], 'accepted'],
    ]);
    expect(result.attempts[1]?.note).toMatch(/context-window fallback: amazon\.nova-pro-v1:0, configured/);
    expect(result.attempts[2]?.fallback).toBe(true);
    expect(result.attempts[2]?.costUsd).toBeGreaterThan(0);
    expect(calls(fleet, MODELS.large[1])).toBe(1);
  });

  it('fails unrecoverably, naming the estimate and the largest window, when no model fits', async () => {
    const small = Object.fromEntries(Object.values(MODELS).flat().map((id) => [id, 60]));
    fleet = await startFleetHarness({ fleet: windows(small) });
    await fleet.producer.enqueue({ id: 'long-4', tier: 'small', prompt: longText(200) });
    const result = await fleet.waitFor('long-4');
    expect(result.state).toBe('failed');
    expect(result.error?.message).toMatch(/about 2\d\d tokens, fits no model's context window; the largest window is 60 tokens/);
    expect(totalCalls(fleet)).toBe(0);
  });
});

describe('content-policy fallback', () => {
  const SCENARIO = {
    models: {
      [MODELS.small[0]]: { answer: { rules: [{ match: 'lock picking', reply: 'I cannot help with that.', stopReason: 'content_filtered' }] } },
    },
  };

  it('asks the configured model again after a content filter; the refused call is on the record', async () => {
    fleet = await startFleetHarness({
      scenario: SCENARIO,
      fleet: (input) => {
        input['fallbacks'] = { contentPolicy: MODELS.medium[1] };
      },
    });
    await fleet.producer.enqueue({ id: 'cp-1', tier: 'small', prompt: 'Explain the history of lock picking.' });
    const result = await fleet.waitFor('cp-1');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ model: MODELS.medium[1], stopReason: 'end_turn' });
    expect(result.attempts.map((a) => [a.model, a.outcome, a.stopReason, a.fallback])).toEqual([
      [MODELS.small[0], 'refused', 'content_filtered', false],
      [MODELS.medium[1], 'accepted', 'end_turn', true],
    ]);
    expect(result.attempts[0]?.costUsd).toBeGreaterThan(0);
    expect(calls(fleet, MODELS.small[0])).toBe(1);
    expect(calls(fleet, MODELS.medium[1])).toBe(1);
  });

  it('keeps the filtered answer without the setting', async () => {
    fleet = await startFleetHarness({ scenario: SCENARIO });
    await fleet.producer.enqueue({ id: 'cp-2', tier: 'small', prompt: 'Explain the history of lock picking.' });
    const result = await fleet.waitFor('cp-2');
    expect(result.answer).toMatchObject({ model: MODELS.small[0], stopReason: 'content_filtered', text: 'I cannot help with that.' });
    expect(result.attempts).toHaveLength(1);
  });
});

describe('model-family template variants', () => {
  const withVariants = (input: Input): void => {
    input['templates'] = {
      brief: {
        system: 'You are brief.',
        prompt: 'Summarize: {{document}}',
        variants: { anthropic: { system: 'You are Claude.', prompt: '<document>{{document}}</document>\nSummarize the document above.' } },
      },
    };
  };

  it('sends an anthropic model the anthropic wording and other models the default', async () => {
    fleet = await startFleetHarness({ fleet: withVariants, scenario: { defaults: { answer: { mode: 'echo' } } } });
    await fleet.producer.enqueue({ id: 'var-1', template: 'brief', document: 'The cat sat.', tier: 'large', model: MODELS.large[0] });
    await fleet.producer.enqueue({ id: 'var-2', template: 'brief', document: 'The cat sat.', tier: 'large', model: MODELS.large[1] });
    const anthropic = await fleet.waitFor('var-1');
    const amazon = await fleet.waitFor('var-2');
    expect(anthropic.answer).toMatchObject({ model: MODELS.large[0], text: '<document>The cat sat.</document>\nSummarize the document above.' });
    expect(amazon.answer).toMatchObject({ model: MODELS.large[1], text: 'Summarize: The cat sat.' });
  });

  it('gives each member of an ensemble its own family’s wording', async () => {
    fleet = await startFleetHarness({
      fleet: (input) => {
        withVariants(input);
        input['flows'] = { ensembles: { pair: { members: [{ model: MODELS.large[0] }, { model: MODELS.large[1] }], combine: 'vote', extractor: { kind: 'exact' }, onMemberFailure: 'ignore' } } };
      },
      scenario: { defaults: { answer: { mode: 'echo' } } },
    });
    await fleet.producer.enqueue({ id: 'var-e', strategy: 'ensemble', flow: 'pair', template: 'brief', document: 'The cat sat.' });
    const result = await fleet.waitFor('var-e', ['completed', 'failed']);
    const texts: Record<string, string | undefined> = Object.fromEntries((result.members ?? []).map((m): [string, string | undefined] => [m.model ?? '', m.text]));
    expect(texts).toEqual({
      [MODELS.large[0]]: '<document>The cat sat.</document>\nSummarize the document above.',
      [MODELS.large[1]]: 'Summarize: The cat sat.',
    });
  });

  it('uses the family wording on a fallback model of another family', async () => {
    fleet = await startFleetHarness({ fleet: withVariants, scenario: { defaults: { answer: { mode: 'echo' } } } });
    // The amazon model is throttled, so the anthropic one of the tier answers with its own wording.
    fleet.emulator.state.override(MODELS.large[1], { faults: { ThrottlingException: 1 } });
    await fleet.producer.enqueue({ id: 'var-3', template: 'brief', document: 'The dog ran.', tier: 'large', model: MODELS.large[1] });
    const result = await fleet.waitFor('var-3');
    expect(result.answer).toMatchObject({ model: MODELS.large[0], text: '<document>The dog ran.</document>\nSummarize the document above.' });
  });
});
