import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load-settings.js';
import type { FleetShape } from '../../src/core/fleet-shape.js';
import { JobSpecError, type JobSpecProblem } from '../../src/core/job/job-spec-error.js';
import { parseJobSpec } from '../../src/core/job/parse-job-spec.js';

const fleet: FleetShape = loadSettings({ env: {} }).fleet;

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

const userSays = (text: string) => ({ role: 'user', content: [{ text }] });
const assistantSays = (text: string) => ({ role: 'assistant', content: [{ text }] });

/** The problems a refused job is reported with; fails the test if the job is accepted. */
function problemsOf(raw: unknown, against: FleetShape = fleet): JobSpecProblem[] {
  try {
    parseJobSpec(raw, against);
  } catch (error) {
    if (error instanceof JobSpecError) return error.problems;
    throw error;
  }
  throw new Error(`the job was accepted: ${JSON.stringify(raw)}`);
}

const fieldsOf = (raw: unknown, against: FleetShape = fleet) => problemsOf(raw, against).map((p) => p.field);

/** The problem reported for one field; fails the test if there is none. */
function problemAt(raw: unknown, field: string, against: FleetShape = fleet): JobSpecProblem {
  const problems = problemsOf(raw, against);
  const problem = problems.find((p) => p.field === field);
  if (problem === undefined) throw new Error(`no problem at ${field}: ${JSON.stringify(problems)}`);
  return problem;
}

describe('parseJobSpec: accepted jobs', () => {
  it('fills in the defaults', () => {
    expect(parseJobSpec({ prompt: 'Hello' }, fleet)).toEqual({
      prompt: 'Hello',
      tenant: 'default',
      task: 'general',
      strategy: 'route',
      tags: {},
      metadata: {},
    });
  });

  it('keeps what the job gives instead of the defaults', () => {
    const spec = parseJobSpec(
      { prompt: 'Hello', tenant: 'acme', task: 'reasoning', strategy: 'cascade', tags: { team: 'search' } },
      fleet,
    );
    expect(spec).toMatchObject({ tenant: 'acme', task: 'reasoning', strategy: 'cascade', tags: { team: 'search' } });
  });

  it('accepts a conversation as messages', () => {
    const messages = [userSays('Hi'), assistantSays('Hello!'), userSays('What is 2 + 2?')];
    expect(parseJobSpec({ messages }, fleet).messages).toEqual(messages);
  });

  it('accepts a prompt', () => {
    expect(parseJobSpec({ prompt: 'What is 2 + 2?' }, fleet).prompt).toBe('What is 2 + 2?');
  });

  it('accepts a document for a task that has a template', () => {
    const spec = parseJobSpec({ document: 'A long report.', task: 'summarization' }, fleet);
    expect(spec).toMatchObject({ document: 'A long report.', task: 'summarization' });
  });

  it('accepts a document with a named template whatever the task', () => {
    const spec = parseJobSpec({ document: 'A long report.', task: 'reasoning', template: 'qa' }, fleet);
    expect(spec).toMatchObject({ task: 'reasoning', template: 'qa' });
  });

  it('accepts a model together with the tier it is in', () => {
    expect(parseJobSpec({ prompt: 'Hi', tier: 'medium', model: HAIKU }, fleet)).toMatchObject({
      tier: 'medium',
      model: HAIKU,
    });
  });
});

describe('parseJobSpec: the input', () => {
  it('refuses a job without an input, naming "input"', () => {
    expect(fieldsOf({ task: 'general' })).toEqual(['input']);
  });

  it.each([
    [{ messages: [userSays('Hi')], prompt: 'Hi' }, 'prompt'],
    [{ prompt: 'Hi', document: 'Doc' }, 'document'],
    [{ messages: [userSays('Hi')], document: 'Doc' }, 'document'],
  ])('refuses two inputs, naming the second one (%j)', (raw, field) => {
    const problem = problemAt(raw, field);
    expect(problem.message).toMatch(/only one of/);
  });

  it.each([
    ['prompt', ''],
    ['prompt', '  \n\t '],
    ['document', ''],
    ['document', '   '],
  ])('refuses a blank %s (%j)', (field, value) => {
    expect(fieldsOf({ [field]: value, task: 'summarization' })).toEqual([field]);
  });

  it('refuses a template without a document', () => {
    expect(fieldsOf({ prompt: 'Hi', template: 'qa' })).toEqual(['template']);
  });

  it('refuses a document whose task has no template, naming "task"', () => {
    const problem = problemAt({ document: 'Doc', task: 'reasoning' }, 'task');
    expect(problem.message).toContain('"reasoning"');
  });

  it('refuses a document with an unknown template, naming "template"', () => {
    const problem = problemAt({ document: 'Doc', task: 'summarization', template: 'haiku-poem' }, 'template');
    expect(problem.message).toContain('"haiku-poem"');
  });

  it('refuses a conversation whose last message is from the assistant', () => {
    const raw = { messages: [userSays('Hi'), assistantSays('Hello!')] };
    expect(problemAt(raw, 'messages.1.role').message).toMatch(/last message must be from the user/);
  });
});

describe('parseJobSpec: the size limit', () => {
  const tight: FleetShape = { ...fleet, jobs: { ...fleet.jobs, maxInputChars: 10 } };

  it.each([
    ['document', { document: 'x'.repeat(11), task: 'summarization' }],
    ['prompt', { prompt: 'x'.repeat(11) }],
    ['messages', { messages: [userSays('x'.repeat(11))] }],
  ])('refuses a %s over jobs.maxInputChars, with the limit', (field, raw) => {
    const problem = problemAt(raw, field, tight);
    expect(problem.message).toContain('11 characters');
    expect(problem.message).toContain('limit of 10');
  });

  it('adds up the text of every message', () => {
    const raw = { messages: [userSays('x'.repeat(4)), assistantSays('x'.repeat(4)), userSays('x'.repeat(4))] };
    expect(problemAt(raw, 'messages', tight).message).toContain('12 characters');
  });

  it('accepts an input exactly at the limit', () => {
    expect(parseJobSpec({ prompt: 'x'.repeat(10) }, tight).prompt).toHaveLength(10);
  });

  it('holds the shipped fleet to its own limit', () => {
    const over = fleet.jobs.maxInputChars + 1;
    expect(problemAt({ prompt: 'x'.repeat(over) }, 'prompt').message).toContain(String(fleet.jobs.maxInputChars));
  });
});

describe('parseJobSpec: tier and model', () => {
  it('refuses an unknown tier, listing the known ones', () => {
    const problem = problemAt({ prompt: 'Hi', tier: 'huge' }, 'tier');
    expect(problem.message).toContain('"huge"');
    expect(problem.message).toContain('small, medium, large');
  });

  it('refuses a model in no tier', () => {
    expect(problemAt({ prompt: 'Hi', model: 'acme.model-v1:0' }, 'model').message).toContain('not in any tier');
  });

  it('refuses a model that is not in the tier asked for', () => {
    const problem = problemAt({ prompt: 'Hi', tier: 'small', model: SONNET }, 'model');
    expect(problem.message).toContain('not in tier "small"');
  });
});

describe('parseJobSpec: the id', () => {
  it('accepts letters, digits, "-", "." and "_"', () => {
    expect(parseJobSpec({ prompt: 'Hi', id: 'abc-1.2_x' }, fleet).id).toBe('abc-1.2_x');
  });

  it('accepts 128 characters', () => {
    expect(parseJobSpec({ prompt: 'Hi', id: 'a'.repeat(128) }, fleet).id).toHaveLength(128);
  });

  it.each([
    ['only digits', '12345'],
    ['a colon', 'job:1'],
    ['129 characters', 'a'.repeat(129)],
    ['a leading "-"', '-abc'],
    ['"--", which the fleet keeps for the jobs it adds ("<id>--m1")', 'report--m1'],
  ])('refuses an id with %s', (_label, id) => {
    expect(fieldsOf({ prompt: 'Hi', id })).toEqual(['id']);
  });
});

describe('parseJobSpec: other fields', () => {
  it('refuses a temperature above 1', () => {
    expect(fieldsOf({ prompt: 'Hi', inference: { temperature: 1.5 } })).toEqual(['inference.temperature']);
  });

  it('refuses an unknown field', () => {
    expect(problemsOf({ prompt: 'Hi', colour: 'blue' })).toHaveLength(1);
  });
});

describe('parseJobSpec: several problems', () => {
  it('reports every problem of the job at once', () => {
    const raw = {
      id: '42',
      inference: { temperature: 1.5 },
      template: 'qa',
      messages: [userSays('Hi'), assistantSays('Hello!')],
    };
    expect(fieldsOf(raw).sort()).toEqual(['id', 'inference.temperature', 'messages.1.role', 'template']);
  });

  it('reports every problem against the fleet at once', () => {
    const tight: FleetShape = { ...fleet, jobs: { ...fleet.jobs, maxInputChars: 3 } };
    const raw = { prompt: 'Hello', tier: 'huge', model: 'acme.model-v1:0' };
    expect(fieldsOf(raw, tight)).toEqual(['tier', 'model', 'prompt']);
  });

  it('throws a JobSpecError whose message names every problem', () => {
    const parse = () => parseJobSpec({ id: '42', inference: { temperature: 1.5 } }, fleet);
    expect(parse).toThrow(JobSpecError);
    expect(parse).toThrow(/^job refused: id: .+; inference\.temperature: .+; input: /);
  });
});

describe('parseJobSpec: content blocks', () => {
  it.each([
    ['an empty text block', { text: '' }],
    ['a text block that is not text', { text: 5 }],
    ['an image of an unknown format', { image: { format: 'bmp', source: { bytes: 'x' } } }],
  ])('refuses %s at its position', (_name, block) => {
    expect(fieldsOf({ messages: [{ role: 'user', content: [block] }] })).toEqual(['messages.0.content.0']);
  });

  it('passes a one-key block it does not know through', () => {
    expect(() => parseJobSpec({ messages: [{ role: 'user', content: [{ text: 'Hi' }, { cachePoint: { type: 'default' } }] }] }, fleet)).not.toThrow();
  });
});
