import { describe, expect, it } from 'vitest';
import { checkFallbackReferences } from '../../../src/config/fallbacks-schema.js';
import { fleetSchema, type FleetConfig } from '../../../src/config/fleet-schema.js';
import { loadSettings } from '../../../src/config/load-settings.js';
import type { JobSpecInput } from '../../../src/core/job/job-spec.js';
import { parseJobSpec } from '../../../src/core/job/parse-job-spec.js';
import { renderRequest } from '../../../src/core/job/render-request.js';
import { familyRequests, fleetFamilies, renderRequestsByFamily } from '../../../src/core/job/render-variants.js';
import { tierCallExtras } from '../../../src/queue/tier-call-extras.js';

const loaded = loadSettings({ env: {} }).fleet;

/** The shipped fleet (amazon, meta, mistral and anthropic models) with a `brief` template that has variants. */
const fleet: FleetConfig = {
  ...loaded,
  templates: {
    ...loaded.templates,
    brief: {
      system: 'You are brief.',
      prompt: 'Summarize: {{document}}',
      variants: {
        anthropic: { system: 'You are Claude, and brief.', prompt: '<document>{{document}}</document>\nSummarize it.' },
        meta: { prompt: '[DOC] {{document}} [/DOC] Summarize.' },
        cohere: { prompt: 'No cohere model in this fleet: {{document}}' },
      },
    },
  },
};

const spec = (job: JobSpecInput) => parseJobSpec(job, fleet);
const userSays = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

describe('renderRequestsByFamily', () => {
  it('renders the document once per family with a variant and a model in the fleet', () => {
    const byFamily = renderRequestsByFamily(spec({ document: 'DOC', template: 'brief' }), fleet);
    expect(Object.keys(byFamily ?? {}).sort()).toEqual(['anthropic', 'meta']);
    expect(byFamily?.['anthropic']).toEqual({ messages: userSays('<document>DOC</document>\nSummarize it.'), system: ['You are Claude, and brief.'] });
  });

  it("keeps the template's system prompt for a variant without its own", () => {
    const byFamily = renderRequestsByFamily(spec({ document: 'DOC', template: 'brief' }), fleet);
    expect(byFamily?.['meta']).toEqual({ messages: userSays('[DOC] DOC [/DOC] Summarize.'), system: ['You are brief.'] });
  });

  it('keeps the rest of the rendering: job system prompts and inference settings', () => {
    const job = spec({ document: 'DOC', template: 'brief', system: 'Answer in French.', inference: { temperature: 0 } });
    expect(renderRequestsByFamily(job, fleet)?.['anthropic']).toEqual({
      messages: userSays('<document>DOC</document>\nSummarize it.'),
      system: ['You are Claude, and brief.', 'Answer in French.'],
      inference: { temperature: 0 },
    });
    // The default rendering is unchanged.
    expect(renderRequest(job, fleet).messages).toEqual(userSays('Summarize: DOC'));
  });

  it('is undefined for prompt and message jobs, and for templates without variants', () => {
    expect(renderRequestsByFamily(spec({ prompt: 'Hi' }), fleet)).toBeUndefined();
    expect(renderRequestsByFamily(spec({ document: 'DOC', task: 'summarization' }), fleet)).toBeUndefined();
    expect(familyRequests(spec({ prompt: 'Hi' }), fleet)).toEqual({});
  });

  it('finds the families of the fleet from ids and configured families', () => {
    expect([...fleetFamilies(fleet)].sort()).toEqual(['amazon', 'anthropic', 'meta', 'mistral']);
    const tiers = [{ models: [{ id: 'amazon.nova-pro-v1:0', family: 'house' }] }];
    expect([...fleetFamilies({ tiers })]).toEqual(['house']);
  });
});

describe('tierCallExtras', () => {
  it("gives each model its family's request, and the default (undefined) to others", () => {
    const job = spec({ document: 'DOC', template: 'brief' });
    const extras = tierCallExtras(fleet, familyRequests(job, fleet));
    expect(extras.requestFor?.('us.anthropic.claude-haiku-4-5-20251001-v1:0')?.messages).toEqual(userSays('<document>DOC</document>\nSummarize it.'));
    expect(extras.requestFor?.('meta.llama3-1-8b-instruct-v1:0')?.system).toEqual(['You are brief.']);
    expect(extras.requestFor?.('amazon.nova-micro-v1:0')).toBeUndefined();
  });

  it('lists every fleet model once, with the fallbacks, and no requestFor without variants', () => {
    const extras = tierCallExtras(fleet, {});
    expect(extras.requestFor).toBeUndefined();
    expect(extras.fleetModels?.map((m) => m.id)).toEqual(fleet.tiers.flatMap((t) => t.models.map((m) => m.id)));
    expect(extras.fallbacks).toEqual({});
  });
});

describe('fleet file: call-feature keys', () => {
  const minimal = {
    tiers: [{ name: 'small', models: [{ id: 'amazon.nova-micro-v1:0', price: { inputPer1k: 0.1, outputPer1k: 0.2 }, contextWindow: 1000 }] }],
    routing: { primary: 'amazon.nova-micro-v1:0', fallback: 'amazon.nova-micro-v1:0' },
  };

  it('defaults: cache off, no fallbacks', () => {
    const parsed = fleetSchema.parse(minimal);
    expect(parsed.cache).toEqual({ mode: 'off', ttlSeconds: 3_600, maxEntryBytes: 262_144, timeoutMs: 250, scope: 'tenant' });
    expect(parsed.fallbacks).toEqual({});
  });

  it('reads cache, fallbacks, model families and template variants', () => {
    const parsed = fleetSchema.parse({
      ...minimal,
      tiers: [{ ...minimal.tiers[0], models: [{ ...minimal.tiers[0]?.models[0], family: 'amazon' }] }],
      cache: { mode: 'deterministic', ttlSeconds: 60 },
      fallbacks: { contextWindow: 'amazon.nova-micro-v1:0', contentPolicy: 'amazon.nova-micro-v1:0' },
      templates: { t: { prompt: '{{document}}', variants: { anthropic: { prompt: 'A: {{document}}' } } } },
    });
    expect(parsed.cache).toMatchObject({ mode: 'deterministic', ttlSeconds: 60 });
    expect(parsed.tiers[0]?.models[0]?.family).toBe('amazon');
    expect(parsed.templates['t']?.variants?.['anthropic']?.prompt).toBe('A: {{document}}');
  });

  it('refuses a variant without the placeholder and an unknown cache mode', () => {
    const badVariant = fleetSchema.safeParse({ ...minimal, templates: { t: { prompt: '{{document}}', variants: { meta: { prompt: 'no placeholder' } } } } });
    expect(badVariant.success).toBe(false);
    expect(badVariant.error?.issues[0]?.path).toEqual(['templates', 't', 'variants', 'meta', 'prompt']);
    expect(fleetSchema.safeParse({ ...minimal, cache: { mode: 'sometimes' } }).success).toBe(false);
  });

  it('checks that fallbacks name fleet models', () => {
    const parsed = fleetSchema.parse({ ...minimal, fallbacks: { contextWindow: 'amazon.nova-micro-v1:0', contentPolicy: 'amazon.nova-pro-v1:0' } });
    expect(checkFallbackReferences(parsed)).toEqual([
      { path: ['fallbacks', 'contentPolicy'], message: 'model "amazon.nova-pro-v1:0" is not in any tier; expected one of amazon.nova-micro-v1:0' },
    ]);
  });
});
