import { describe, expect, it } from 'vitest';
import { documentIdFromFileName, isJobId, uniqueId } from '../../../src/cli/document-id.js';

describe('documentIdFromFileName', () => {
  it.each([
    ['intro.md', 'intro.md'],
    ['Release Notes 3.txt', 'Release_Notes_3.txt'],
    ['résumé (final).md', 'resume_final_.md'],
    ['.hidden.txt', 'hidden.txt'],
    ['__x__.md', 'x_.md'],
    ['a   b.txt', 'a_b.txt'],
    ['日本語.md', 'md'],
    ['???', 'doc'],
    ['123', 'doc-123'],
    ['2024-01-01.md', '2024-01-01.md'],
    ['a:b/c.txt', 'a_b_c.txt'],
    ['report--m1.md', 'report-m1.md'],
  ])('%s → %s', (name, id) => {
    expect(documentIdFromFileName(name)).toBe(id);
    expect(isJobId(documentIdFromFileName(name))).toBe(true);
  });

  it('puts the prefix in front', () => {
    expect(documentIdFromFileName('intro.md', 'run2-')).toBe('run2-intro.md');
    expect(documentIdFromFileName('42', 'x')).toBe('x42');
  });

  it('keeps at most 128 characters and no trailing punctuation', () => {
    const id = documentIdFromFileName(`${'a'.repeat(126)}_-b.txt`);
    expect(id).toBe('a'.repeat(126));
    expect(isJobId(id)).toBe(true);
    expect(documentIdFromFileName('9'.repeat(200))).toMatch(/^doc-9+$/);
    expect(documentIdFromFileName('9'.repeat(200))).toHaveLength(128);
  });
});

describe('uniqueId', () => {
  it('suffixes ids taken already, within 128 characters', () => {
    const taken = new Set<string>();
    expect(uniqueId('a_b.md', taken)).toBe('a_b.md');
    expect(uniqueId('a_b.md', taken)).toBe('a_b.md-2');
    expect(uniqueId('a_b.md', taken)).toBe('a_b.md-3');
    const long = 'x'.repeat(128);
    expect(uniqueId(long, taken)).toBe(long);
    expect(uniqueId(long, taken)).toBe(`${'x'.repeat(126)}-2`);
  });
});

describe('isJobId', () => {
  it('follows the job id rule', () => {
    expect(isJobId('a.b-c_d')).toBe(true);
    expect(isJobId('123')).toBe(false);
    expect(isJobId('-a')).toBe(false);
    expect(isJobId('a b')).toBe(false);
    expect(isJobId('x'.repeat(129))).toBe(false);
  });
});
