import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load-settings.js';
import { estimateTokens } from '../../../src/core/estimate-tokens.js';
import type { JobSpecInput } from '../../../src/core/job/job-spec.js';
import { parseJobSpec } from '../../../src/core/job/parse-job-spec.js';
import { renderRequest } from '../../../src/core/job/render-request.js';
import { DEFAULT_EXPECTED_OUTPUT_TOKENS, toRoutableJob } from '../../../src/core/routing/routable-job.js';

const fleet = loadSettings({ env: {} }).fleet;
const routable = (input: JobSpecInput) => {
  const spec = parseJobSpec(input, fleet);
  return toRoutableJob(spec, renderRequest(spec, fleet));
};

describe('toRoutableJob', () => {
  it('reads task, tenant, tags, metadata and the prompt text', () => {
    const job = routable({ prompt: 'Refund my order', task: 'support', tenant: 'acme', tags: { lang: 'en' }, metadata: { vip: true } });
    expect(job).toEqual({
      task: 'support',
      tenant: 'acme',
      tags: { lang: 'en' },
      metadata: { vip: true },
      text: 'Refund my order',
      inputChars: 15,
      inputTokens: estimateTokens('Refund my order'),
      hasImage: false,
      expectedOutputTokens: DEFAULT_EXPECTED_OUTPUT_TOKENS,
      minQuality: undefined,
      maxLatencyMs: undefined,
      tier: undefined,
      model: undefined,
    });
  });

  it('counts system prompts in the tokens but keeps them out of the text', () => {
    const job = routable({ prompt: 'Hi there', system: 'You are terse and precise.' });
    expect(job.text).toBe('Hi there');
    expect(job.inputChars).toBe(8);
    expect(job.inputTokens).toBe(estimateTokens('You are terse and precise.\nHi there'));
  });

  it('joins the text of every message and notices images', () => {
    const job = routable({
      messages: [
        { role: 'user', content: [{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } }] },
        { role: 'assistant', content: [{ text: 'A cat.' }] },
        { role: 'user', content: [{ text: 'What colour?' }] },
      ],
    });
    expect(job.text).toBe('What is this?\nA cat.\nWhat colour?');
    expect(job.hasImage).toBe(true);
  });

  it('reads a document through its template', () => {
    const job = routable({ document: 'Quarterly revenue rose.', task: 'summarization' });
    expect(job.text).toContain('Quarterly revenue rose.');
    expect(job.inputChars).toBe(job.text.length);
  });

  it('takes routing hints from numeric metadata and ignores bad ones', () => {
    const hinted = routable({ prompt: 'x', metadata: { minQuality: 0.8, maxLatencyMs: 1500, expectedOutputTokens: 40 } });
    expect(hinted).toMatchObject({ minQuality: 0.8, maxLatencyMs: 1500, expectedOutputTokens: 40 });
    const bad = routable({ prompt: 'x', metadata: { minQuality: 2, maxLatencyMs: '1500', expectedOutputTokens: -1 } });
    expect(bad).toMatchObject({ minQuality: undefined, maxLatencyMs: undefined, expectedOutputTokens: DEFAULT_EXPECTED_OUTPUT_TOKENS });
  });

  it('caps the expected output at inference.maxTokens', () => {
    expect(routable({ prompt: 'x', inference: { maxTokens: 10 } }).expectedOutputTokens).toBe(10);
    expect(routable({ prompt: 'x', inference: { maxTokens: 4000 } }).expectedOutputTokens).toBe(DEFAULT_EXPECTED_OUTPUT_TOKENS);
  });

  it('carries the tier and model the job asked for', () => {
    const model = 'amazon.nova-lite-v1:0';
    expect(routable({ prompt: 'x', tier: 'medium', model })).toMatchObject({ tier: 'medium', model });
  });
});
