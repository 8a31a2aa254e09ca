import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load-settings.js';
import type { FleetShape } from '../../src/core/fleet-shape.js';
import type { JobSpecInput } from '../../src/core/job/job-spec.js';
import { parseJobSpec } from '../../src/core/job/parse-job-spec.js';
import { renderRequest } from '../../src/core/job/render-request.js';

const loaded: FleetShape = loadSettings({ env: {} }).fleet;
const fleet: FleetShape = {
  ...loaded,
  templates: {
    ...loaded.templates,
    compare: { system: 'You compare texts.', prompt: 'First:\n{{document}}\n\nAgain:\n{{document}}' },
  },
};

const render = (job: JobSpecInput) => renderRequest(parseJobSpec(job, fleet), fleet);

const userSays = (text: string) => ({ role: 'user' as const, content: [{ text }] });

describe('renderRequest: the conversation', () => {
  it('renders a document through its task template, with the template\'s system prompt', () => {
    const template = fleet.templates['summarization'];
    expect(template?.system).toBeDefined();
    expect(render({ document: 'The report.', task: 'summarization' })).toEqual({
      messages: [userSays(template?.prompt.replace('{{document}}', 'The report.') ?? '')],
      system: [template?.system],
    });
  });

  it('replaces every placeholder of the template', () => {
    const { messages, system } = render({ document: 'DOC', task: 'compare' });
    expect(messages).toEqual([userSays('First:\nDOC\n\nAgain:\nDOC')]);
    expect(system).toEqual(['You compare texts.']);
  });

  it('uses the template the job names over its task\'s', () => {
    const { messages } = render({ document: 'DOC', task: 'summarization', template: 'compare' });
    expect(messages).toEqual([userSays('First:\nDOC\n\nAgain:\nDOC')]);
  });

  it('inserts the document as written, "$" patterns included', () => {
    const { messages } = render({ document: "costs $& and $'", task: 'general' });
    expect(messages).toEqual([userSays("costs $& and $'")]);
  });

  it('adds no system prompt for a template without one', () => {
    expect(render({ document: 'Is it? Yes.', task: 'qa' }).system).toEqual([]);
  });

  it('sends a prompt as one user message', () => {
    expect(render({ prompt: 'What is 2 + 2?' })).toEqual({ messages: [userSays('What is 2 + 2?')], system: [] });
  });

  it('passes messages through unchanged', () => {
    const messages = [
      userSays('Hi'),
      { role: 'assistant' as const, content: [{ text: 'Hello!' }] },
      { role: 'user' as const, content: [{ text: 'Look:' }, { image: { format: 'png' as const, source: { bytes: 'iVBO' } } }] },
    ];
    expect(render({ messages }).messages).toEqual(messages);
  });
});

describe('renderRequest: system prompts', () => {
  it('appends the job\'s system prompt after the template\'s', () => {
    const { system } = render({ document: 'DOC', task: 'compare', system: 'Be terse.' });
    expect(system).toEqual(['You compare texts.', 'Be terse.']);
  });

  it('appends every system prompt of a list, in order', () => {
    const { system } = render({ document: 'DOC', task: 'compare', system: ['Be terse.', 'Use British spelling.'] });
    expect(system).toEqual(['You compare texts.', 'Be terse.', 'Use British spelling.']);
  });

  it('ends a cascade job\'s system prompts with the confidence instruction', () => {
    const { system } = render({ document: 'DOC', task: 'compare', system: 'Be terse.', strategy: 'cascade' });
    expect(system).toEqual(['You compare texts.', 'Be terse.', fleet.cascade.confidencePrompt]);
  });

  it('asks a cascade job for confidence even without other system prompts', () => {
    expect(render({ prompt: 'Hi', strategy: 'cascade' }).system).toEqual([fleet.cascade.confidencePrompt]);
  });

  it('does not ask a route job for confidence', () => {
    const { system } = render({ prompt: 'Hi', system: 'Be terse.', strategy: 'route' });
    expect(system).toEqual(['Be terse.']);
    expect(system).not.toContain(fleet.cascade.confidencePrompt);
  });
});

describe('renderRequest: inference settings', () => {
  it('passes them through', () => {
    const inference = { maxTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['END'] };
    expect(render({ prompt: 'Hi', inference }).inference).toEqual(inference);
  });

  it('leaves them out when the job gives none', () => {
    expect(render({ prompt: 'Hi' })).not.toHaveProperty('inference');
  });
});
