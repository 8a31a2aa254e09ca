import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createProducer } from '../../src/queue/create-producer.js';
import { createFleetQueues } from '../../src/queue/fleet-queues.js';
import { createFleetSnapshotSource } from '../../src/queue/routing/fleet-snapshot-source.js';
import { modelStatsKey } from '../../src/queue/routing/model-stats-store.js';
import { createBreakerStatePublisher } from '../../src/resilience/breaker-state-publisher.js';
import { MODELS, REDIS_URL, startFleetHarness, type FleetHarness } from '../helpers/fleet-harness.js';
import { scopedId } from '../../src/core/job/tenant-scoped-id.js';

const [MICRO, LLAMA] = MODELS.small;
const [HAIKU_45, CLAUDE_3_HAIKU] = MODELS.medium;
const [SONNET, NOVA_PRO] = MODELS.large;

/** Prices, quality ratings and typical latencies that tell the models apart (the harness gives them all one price). */
const RATINGS: Record<string, { price: { inputPer1k: number; outputPer1k: number }; quality: number; latencyMs: number }> = {
  [MICRO]: { price: { inputPer1k: 0.0001, outputPer1k: 0.0002 }, quality: 0.4, latencyMs: 300 },
  [LLAMA]: { price: { inputPer1k: 0.0002, outputPer1k: 0.0003 }, quality: 0.5, latencyMs: 400 },
  [HAIKU_45]: { price: { inputPer1k: 0.002, outputPer1k: 0.004 }, quality: 0.8, latencyMs: 900 },
  [CLAUDE_3_HAIKU]: { price: { inputPer1k: 0.001, outputPer1k: 0.002 }, quality: 0.7, latencyMs: 700 },
  [SONNET]: { price: { inputPer1k: 0.01, outputPer1k: 0.02 }, quality: 0.95, latencyMs: 2_500 },
  [NOVA_PRO]: { price: { inputPer1k: 0.003, outputPer1k: 0.006 }, quality: 0.85, latencyMs: 1_200 },
};

type Input = Record<string, unknown> & { tiers: { models: { id: string }[] }[]; routing: Record<string, unknown> };

/** Rates the harness fleet's models and sets `routing` fields. */
const rated =
  (routing: Record<string, unknown>) =>
  (raw: Record<string, unknown>): void => {
    const input = raw as Input;
    for (const tier of input.tiers) {
      tier.models = tier.models.map((model) => ({ ...model, ...RATINGS[model.id] }));
    }
    input.routing = { ...input.routing, ...routing };
  };

const SCENARIO = { seed: 3, defaults: { answer: { mode: 'plausible', outputTokens: 12 } } };

const dir = mkdtempSync(join(tmpdir(), 'fleet-routers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let h: FleetHarness | undefined;
const extra: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const part of extra.splice(0)) await part.close();
  await h?.close();
  h = undefined;
});

/** Polls until `read` gives a value `done` accepts. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('routers wired into the producer (real Redis, emulator, SDK)', () => {
  it('rules: a keyword sends the job to the rule\'s tier, and the result\'s reason names the rule', async () => {
    h = await startFleetHarness({
      scenario: SCENARIO,
      fleet: rated({ router: 'rules', rules: [{ name: 'contracts', when: { keywords: ['contract'] }, then: { tier: 'large' } }] }),
    });
    const receipt = await h.producer.enqueue({ id: 'rules-1', prompt: 'Please review this Contract for risks.' });
    expect(receipt.tier).toBe('large');
    const result = await h.waitFor('rules-1');
    expect(result.state).toBe('completed');
    expect(result.answer).toMatchObject({ tier: 'large', model: SONNET });
    expect(result.route.reason).toBe('rules router: rule "contracts" matched keyword "contract": tier large');

    // No rule matches: the routing table (task "general" → the default, primary) decides, and says so.
    await h.producer.enqueue({ id: 'rules-2', task: 'summarization', prompt: 'Summarize: the sky is blue.' });
    const table = await h.waitFor('rules-2');
    expect(table.answer).toMatchObject({ tier: 'medium', model: HAIKU_45 });
    expect(table.route.reason).toMatch(/^rules router: no routing rule matched; task "summarization" routes to fallback/);
  });

  it('cost: the cheapest model rated at least the job\'s minQuality answers', async () => {
    h = await startFleetHarness({ scenario: SCENARIO, fleet: rated({ router: 'cost' }) });
    await h.producer.enqueue({ id: 'cost-1', prompt: 'Explain TCP slow start.', metadata: { minQuality: 0.75 } });
    await h.producer.enqueue({ id: 'cost-2', prompt: 'Say hi.' });
    const picky = await h.waitFor('cost-1');
    expect(picky.answer).toMatchObject({ tier: 'medium', model: HAIKU_45 });
    expect(picky.attempts.map((a) => a.model)).toEqual([HAIKU_45]);
    expect(picky.route).toMatchObject({ tier: 'medium', model: HAIKU_45 });
    expect(picky.route.reason).toMatch(/^cost router: cheapest model rated ≥ 0.75: us\.anthropic\.claude-haiku-4-5.* \(quality 0.8, est\. \$/);
    const cheap = await h.waitFor('cost-2');
    expect(cheap.answer).toMatchObject({ tier: 'small', model: MICRO });
  });

  it('an open breaker published in Redis makes the cost and latency routers avoid that model', async () => {
    h = await startFleetHarness({ scenario: SCENARIO, fleet: rated({ router: 'cost', modelRouter: 'latency' }) });
    const publisher = createBreakerStatePublisher({ redis: h.redis, fleetName: h.fleet.name, tier: 'medium', processId: 'elsewhere:1' });
    await publisher.publish(HAIKU_45, 'open');
    const large = createBreakerStatePublisher({ redis: h.redis, fleetName: h.fleet.name, tier: 'large', processId: 'elsewhere:2' });
    await large.publish(NOVA_PRO, 'open');
    const snapshot = await h.snapshots.refresh();
    expect(snapshot.breakers).toMatchObject({ [HAIKU_45]: 'open', [NOVA_PRO]: 'open' });

    // Cost skips haiku 4.5 (open) for sonnet; the latency layer in the large tier skips nova pro (open), faster on paper.
    const receipt = await h.producer.enqueue({ id: 'open-1', prompt: 'Explain TCP slow start.', metadata: { minQuality: 0.75 } });
    expect(receipt.route).toMatchObject({ tier: 'large', model: SONNET });
    expect(receipt.route.reason).toContain(`skipped cheaper ${HAIKU_45}, ${NOVA_PRO} (breaker open)`);
    expect(receipt.route.reason).toContain(`within tier large, latency router: fastest model (no latency bound): ${SONNET}`);
    const result = await h.waitFor('open-1');
    expect(result.answer?.model).toBe(SONNET);

    // Closed again: the next snapshot read brings haiku 4.5, and so the medium tier, back (where claude 3 haiku is fastest).
    await publisher.publish(HAIKU_45, 'closed');
    await h.snapshots.refresh();
    const again = await h.producer.enqueue({ id: 'open-2', prompt: 'Again.', metadata: { minQuality: 0.75 } });
    expect(again.route).toMatchObject({ tier: 'medium', model: CLAUDE_3_HAIKU });
    expect(again.route.reason).toMatch(/^cost router: cheapest model rated ≥ 0.75: us\.anthropic\.claude-haiku-4-5.*; within tier medium, latency router: fastest/);
    expect((await h.waitFor('open-2')).answer?.model).toBe(CLAUDE_3_HAIKU);
  });

  it('adaptive: per-(model, task) stats land in Redis after jobs, and a second producer\'s snapshot sees them', async () => {
    h = await startFleetHarness({ scenario: SCENARIO, fleet: rated({ router: 'adaptive' }) });
    const fleetName = h.fleet.name;
    const first = await h.producer.enqueue({ id: 'ad-1', task: 'chat', prompt: 'Say hi.' });
    expect(first.route.reason).toMatch(/^adaptive router: exploring .* 0 "chat" calls so far, under 5$/);
    const done = await h.waitFor('ad-1');
    const model = done.answer?.model ?? '';
    expect(model).toBe(first.route.model);

    const key = modelStatsKey(fleetName);
    const stored = await eventually(
      () => h!.redis.hgetall(key),
      (hash) => hash[`${model}|chat`] !== undefined && hash[model] !== undefined,
    );
    expect(JSON.parse(stored[`${model}|chat`] ?? '{}')).toMatchObject({ samples: 1, successRate: 1 });
    expect(JSON.parse(stored[model] ?? '{}')).toMatchObject({ samples: 1, successRate: 1 });

    // Another process: its own connection, queues, snapshot source and producer.
    const redis = new Redis(REDIS_URL);
    const queues = createFleetQueues(h.fleet, redis);
    const source = createFleetSnapshotSource({ redis, fleet: h.fleet, queues, intervalMs: 60_000 });
    extra.push({ close: async () => (source.stop(), await queues.close(), redis.disconnect()) });
    await source.start();
    expect(source.current().stats[model]?.byTask?.chat).toMatchObject({ samples: 1, successRate: 1 });
    const producer = createProducer({ fleet: h.fleet, queues, redis, snapshot: () => source.current() });
    // The model that has a "chat" call is no longer among the least tried, so the second producer explores another.
    const second = producer.prepare({ task: 'chat', prompt: 'Say hi again.' });
    expect(second.route.model).not.toBe(model);
    expect(second.route.reason).toContain('0 "chat" calls so far');

    // Every finished job moves the averages: a second "chat" call on the same model.
    await h.producer.enqueue({ id: 'ad-2', task: 'chat', model, prompt: 'Say hi.' });
    await h.waitFor('ad-2');
    const twice = await eventually(
      () => h!.redis.hget(key, `${model}|chat`),
      (value) => value !== null && (JSON.parse(value) as { samples: number }).samples === 2,
    );
    expect(JSON.parse(twice ?? '{}')).toMatchObject({ samples: 2 });
  });

  it('custom: a user module loaded by path routes the job, and the reason is its own', async () => {
    const module = join(dir, 'vip-router.mjs');
    writeFileSync(
      module,
      `export function route(job, snapshot) {
        if (job.tenant !== 'vip') return undefined;
        const depth = snapshot.queueDepth.large ?? 0;
        return { tier: 'large', model: '${NOVA_PRO}', reason: 'vip tenants get the large tier (' + depth + ' waiting)' };
      }`,
    );
    h = await startFleetHarness({ scenario: SCENARIO, fleet: rated({ router: 'custom', custom: { module, export: 'route' } }) });
    await h.producer.enqueue({ id: 'vip-1', tenant: 'vip', prompt: 'Hello.' });
    const vip = await h.waitFor(scopedId('vip', 'vip-1'));
    expect(vip.answer).toMatchObject({ tier: 'large', model: NOVA_PRO });
    expect(vip.route.reason).toBe('custom router: vip tenants get the large tier (0 waiting)');

    // No opinion: the routing table decides.
    await h.producer.enqueue({ id: 'plain-1', task: 'summarization', prompt: 'Hello.' });
    const plain = await h.waitFor('plain-1');
    expect(plain.answer).toMatchObject({ tier: 'medium', model: HAIKU_45 });
    expect(plain.route.reason).toMatch(/^custom router had no opinion; task "summarization" routes to fallback/);
  });

  it('classifier: the cheapest tier labels the job, the rules send it on, and the result shows the classification', async () => {
    const scenario = {
      seed: 5,
      defaults: { answer: { mode: 'plausible', outputTokens: 12 } },
      models: {
        // Only the classification prompt ("Labels: ...") gets a label back; the jobs' own questions get plausible answers.
        [MICRO]: {
          answer: {
            rules: [
              { match: 'Labels:.*invoice', flags: 'is', reply: 'billing' },
              { match: 'Labels:.*hello', flags: 'is', reply: 'Chat.' },
              { match: 'Labels:', flags: 'is', reply: 'I am not sure.' },
            ],
          },
        },
      },
    };
    h = await startFleetHarness({
      scenario,
      fleet: rated({
        router: 'classifier',
        classifier: { labels: ['billing', 'chat', 'general'], default: 'general', model: MICRO },
        rules: [
          { name: 'billing desk', when: { task: 'billing' }, then: { tier: 'large', model: NOVA_PRO } },
          { name: 'small talk', when: { task: 'chat' }, then: { tier: 'small', model: LLAMA } },
        ],
      }),
    });

    const receipt = await h.producer.enqueue({ id: 'cls-1', prompt: 'My invoice shows the wrong amount.' });
    expect(receipt.route).toMatchObject({ tier: 'small', classify: true });
    const billed = await h.waitFor('cls-1');
    expect(billed.state).toBe('completed');
    expect(billed.task).toBe('billing');
    // Handed to the rule's tier, where the rule's model answers (not the tier's first model).
    expect(billed.answer).toMatchObject({ tier: 'large', model: NOVA_PRO });
    expect(billed.attempts.map((a) => [a.tier, a.model, a.outcome])).toEqual([
      ['small', MICRO, 'classified'],
      ['large', NOVA_PRO, 'accepted'],
    ]);
    expect(billed.attempts[0]?.costUsd).toBeGreaterThan(0);
    expect(billed.costUsd).toBeCloseTo(billed.attempts.reduce((sum, a) => sum + a.costUsd, 0), 8);
    expect(billed.route.classify).toBeUndefined();
    expect(billed.route.reason).toBe(
      `classifier router: ${MICRO} on tier small labelled the task "billing" (answered "billing"); ` +
        `rule "billing desk" matched task "billing": ${NOVA_PRO} on tier large`,
    );

    // Labelled for this tier: answered here, by the rule's model, after the classification.
    await h.producer.enqueue({ id: 'cls-2', prompt: 'hello there, how are you?' });
    const chat = await h.waitFor('cls-2');
    expect(chat.task).toBe('chat');
    expect(chat.answer).toMatchObject({ tier: 'small', model: LLAMA });
    expect(chat.answer?.text).not.toBe('Chat.');
    expect(chat.attempts.map((a) => [a.tier, a.model, a.outcome])).toEqual([
      ['small', MICRO, 'classified'],
      ['small', LLAMA, 'accepted'],
    ]);
    expect(chat.route.reason).toContain('labelled the task "chat" (answered "Chat."); rule "small talk" matched task "chat"');

    // An answer naming no label: the default label, and the routing table for it.
    await h.producer.enqueue({ id: 'cls-3', prompt: 'What is the capital of France?' });
    const unsure = await h.waitFor('cls-3');
    expect(unsure.task).toBe('general');
    expect(unsure.route.reason).toContain('answered "I am not sure.", which names no label, so the default "general"');
    expect(unsure.route.reason).toContain('no routing rule matched; task "general" is not in the routing table');
    expect(unsure.answer?.tier).toBe('large');

    // An explicit tier skips the classifier.
    const explicit = await h.producer.enqueue({ id: 'cls-4', tier: 'medium', prompt: 'My invoice is wrong.' });
    expect(explicit.route).toEqual({ tier: 'medium', path: ['medium'], reason: 'the job asked for tier medium' });
    expect((await h.waitFor('cls-4')).attempts).toHaveLength(1);
  });
});
