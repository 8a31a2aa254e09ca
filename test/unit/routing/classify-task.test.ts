import { describe, expect, it } from 'vitest';
import {
  buildClassificationRequest,
  CLASSIFIER_SYSTEM_PROMPT,
  parseLabel,
  requestText,
  type ClassifierSettings,
} from '../../../src/core/routing/classify-task.js';

const settings: ClassifierSettings = { labels: ['billing', 'coding', 'legal'], maxInputChars: 4000, maxTokens: 16 };
const LABELS = settings.labels;

const userText = (request: ReturnType<typeof buildClassificationRequest>): string => {
  const block = request.messages[0]?.content[0];
  return block !== undefined && 'text' in block && typeof block.text === 'string' ? block.text : '';
};

describe('buildClassificationRequest', () => {
  it('asks for one of the labels about the job\'s text, briefly and at temperature 0', () => {
    const request = buildClassificationRequest(settings, 'My invoice is wrong.');
    expect(request.system).toEqual([CLASSIFIER_SYSTEM_PROMPT]);
    expect(request.messages).toHaveLength(1);
    expect(request.messages[0]?.role).toBe('user');
    const text = userText(request);
    expect(text).toContain('Labels: billing, coding, legal.');
    expect(text).toMatch(/Task:\nMy invoice is wrong\.$/);
    expect(request.inference).toEqual({ maxTokens: 16, temperature: 0 });
  });

  it('uses the configured prompt, replacing every placeholder', () => {
    const request = buildClassificationRequest({ ...settings, prompt: 'One of [{{labels}}] for: {{text}} ({{labels}})' }, 'hello');
    expect(userText(request)).toBe('One of [billing, coding, legal] for: hello (billing, coding, legal)');
  });

  it('cuts a long text to maxInputChars and says how much was left out', () => {
    const request = buildClassificationRequest({ ...settings, maxInputChars: 10 }, 'x'.repeat(25));
    expect(userText(request)).toMatch(/Task:\nx{10}\n\[… 15 more characters\]$/);
  });

  it('reads the text of a request\'s messages, images and system prompts aside', () => {
    expect(
      requestText({
        system: ['be terse'],
        messages: [
          { role: 'user', content: [{ text: 'first' }, { image: { format: 'png', source: { bytes: new Uint8Array([1]) } } }] },
          { role: 'assistant', content: [{ text: 'ok' }] },
          { role: 'user', content: [{ text: 'second' }] },
        ],
      }),
    ).toBe('first\nok\nsecond');
  });
});

describe('parseLabel', () => {
  it('takes an answer that is a label, whatever its case, quotes or trailing punctuation', () => {
    for (const answer of ['billing', 'Billing', ' BILLING.\n', '"billing"', '`coding`', 'Label: legal', '**legal**']) {
      const parsed = parseLabel(answer, LABELS, 'general');
      expect(parsed.how, answer).toBe('exact');
      expect(LABELS).toContain(parsed.label);
    }
    expect(parseLabel('Coding!', LABELS, 'general')).toEqual({ label: 'coding', how: 'exact', note: 'answered "Coding!"' });
  });

  it('does not count a label named only inside a longer label ("billing" in "billing-dispute")', () => {
    const labels = ['billing', 'billing-dispute', 'legal'];
    expect(parseLabel('It is billing-dispute.', labels, 'general')).toMatchObject({ label: 'billing-dispute', how: 'mentioned' });
    expect(parseLabel('Either billing or billing-dispute.', labels, 'general')).toMatchObject({ label: 'general', how: 'default' });
  });

  it('takes the one label a longer answer names as a whole word', () => {
    expect(parseLabel('I would say this is a billing question.', LABELS, 'general')).toEqual({
      label: 'billing',
      how: 'mentioned',
      note: 'answered "I would say this is a billing question.", which names only "billing"',
    });
  });

  it('falls back to the default for no label, part of a word, or several labels', () => {
    expect(parseLabel('weather', LABELS, 'general')).toEqual({
      label: 'general',
      how: 'default',
      note: 'answered "weather", which names no label, so the default "general"',
    });
    expect(parseLabel('rebilling', LABELS, 'general').how).toBe('default');
    const several = parseLabel('either billing or legal', LABELS, 'billing');
    expect(several).toMatchObject({ label: 'billing', how: 'default' });
    expect(several.note).toContain('names several labels (billing, legal)');
    expect(parseLabel('', LABELS, 'general').label).toBe('general');
  });

  it('matches labels with regex characters literally', () => {
    expect(parseLabel('it is c.plus', ['c.plus', 'cxplus'], 'general')).toMatchObject({ label: 'c.plus', how: 'mentioned' });
  });

  it('shortens a long answer in the note', () => {
    const parsed = parseLabel(`${'z'.repeat(100)}`, LABELS, 'general');
    expect(parsed.note).toContain(`"${'z'.repeat(60)}…"`);
  });
});
