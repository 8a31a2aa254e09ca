import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../src/cli/cli-error.js';
import { openDocuments, skippedNote, UnreadableLine, type DocumentSource } from '../../../src/cli/read-documents.js';

const dir = mkdtempSync(join(tmpdir(), 'read-documents-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(source: DocumentSource): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const document of source.documents) out.push(document);
  return out;
}

describe('openDocuments: JSONL', () => {
  it('drops a UTF-8 byte-order mark before the first line instead of refusing the line', async () => {
    const file = join(dir, 'bom.jsonl');
    writeFileSync(file, '\uFEFF{"id":"a","prompt":"one"}\n{"id":"b","prompt":"two"}\n');
    const source = await openDocuments(file);
    expect(source.kind).toBe('jsonl');
    const documents = await all(source);
    expect(documents.some((d) => d instanceof UnreadableLine)).toBe(false);
    expect(documents).toEqual([
      { id: 'a', prompt: 'one' },
      { id: 'b', prompt: 'two' },
    ]);
  });

  it('drops it on stdin too', async () => {
    const source = await openDocuments('-', { stdin: Readable.from(['\uFEFF"first"\n"second"\n']) });
    expect(await all(source)).toEqual(['first', 'second']);
  });

  it('keeps a byte-order mark past the first line as it is (a line that is not JSON)', async () => {
    const file = join(dir, 'bom-later.jsonl');
    writeFileSync(file, '"ok"\n\uFEFF"not first"\n');
    const documents = await all(await openDocuments(file));
    expect(documents[1]).toBeInstanceOf(UnreadableLine);
  });
});

describe('openDocuments: a folder', () => {
  it('says which entries it skipped: subfolders and files not .txt/.md (hidden ones pass without a word)', async () => {
    const folder = join(dir, 'docs');
    mkdirSync(join(folder, 'chapter-2'), { recursive: true });
    writeFileSync(join(folder, 'a.txt'), 'A');
    writeFileSync(join(folder, 'b.md'), 'B');
    writeFileSync(join(folder, 'data.json'), '{}');
    writeFileSync(join(folder, 'scan.pdf'), '%PDF');
    writeFileSync(join(folder, '.DS_Store'), '');
    const source = await openDocuments(folder);
    expect(source.kind).toBe('folder');
    expect(source.skipped).toEqual(['chapter-2/', 'data.json', 'scan.pdf']);
    expect(skippedNote(source)).toBe('note: skipped 3 entries (subfolders, files not .txt/.md/.markdown): chapter-2/, data.json, scan.pdf');
    expect((await all(source)).map((d) => (d as { id: string }).id)).toEqual(['a.txt', 'b.md']);
  });

  it('names a few of many skipped entries', () => {
    const skipped = Array.from({ length: 8 }, (_, i) => `f${i}.json`);
    expect(skippedNote({ skipped })).toBe(
      'note: skipped 8 entries (subfolders, files not .txt/.md/.markdown): f0.json, f1.json, f2.json, f3.json, f4.json and 3 more',
    );
    expect(skippedNote({ skipped: ['one.csv'] })).toBe('note: skipped 1 entry (subfolders, files not .txt/.md/.markdown): one.csv');
    expect(skippedNote({ skipped: [] })).toBeUndefined();
  });

  it('says what the folder holds when none of it is a document (exit 2)', async () => {
    const folder = join(dir, 'no-docs');
    mkdirSync(join(folder, 'inner'), { recursive: true });
    writeFileSync(join(folder, 'x.json'), '{}');
    const attempt = openDocuments(folder);
    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toMatchObject({ exitCode: EXIT.usage });
    await expect(attempt).rejects.toThrow(/no \.txt\/\.md\/\.markdown files in ".*no-docs" \(only inner\/, x\.json; subfolders are not read\)/);
  });

  it('a single .txt/.md file is a text-file source (its id from its name)', async () => {
    const file = join(dir, 'one.md');
    writeFileSync(file, '\uFEFFtext');
    const source = await openDocuments(file);
    expect(source.kind).toBe('text-file');
    expect(await all(source)).toEqual([{ id: 'one.md', document: 'text', metadata: { file: 'one.md' } }]);
  });
});
