import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '../../src/core/job/parse-job-spec.js';
import { loadSettings } from '../../src/config/load-settings.js';
import { jobFingerprint } from '../../src/queue/job-fingerprint.js';

const { fleet } = loadSettings({ env: {} });
const digest = (raw: Record<string, unknown>): string => jobFingerprint(parseJobSpec(raw, fleet));

describe('a job request’s digest', () => {
  it('is the same for the same request, whatever the order of its fields, its batch, or an explicit stream: false', () => {
    const first = digest({ id: 'inv-7', task: 'extraction', prompt: 'Invoice 7.', tags: { a: '1', b: '2' } });
    expect(digest({ tags: { b: '2', a: '1' }, prompt: 'Invoice 7.', task: 'extraction', id: 'inv-7' })).toBe(first);
    expect(digest({ id: 'inv-7', task: 'extraction', prompt: 'Invoice 7.', tags: { a: '1', b: '2' }, batchId: 'nightly' })).toBe(first);
    expect(digest({ id: 'inv-7', task: 'extraction', prompt: 'Invoice 7.', tags: { a: '1', b: '2' }, stream: false })).toBe(first);
  });

  it('differs when the request asks anything else', () => {
    const first = digest({ id: 'inv-7', prompt: 'Invoice 7.' });
    for (const other of [{ prompt: 'Invoice 8.' }, { prompt: 'Invoice 7.', stream: true }, { prompt: 'Invoice 7.', priority: 1 }, { prompt: 'Invoice 7.', tags: { a: '1' } }]) {
      expect(digest({ id: 'inv-7', ...other }), JSON.stringify(other)).not.toBe(first);
    }
  });
});
