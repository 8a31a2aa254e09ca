import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../src/cli/cli-error.js';
import { readJobFile } from '../../../src/cli/read-job-file.js';

const dir = mkdtempSync(join(tmpdir(), 'read-job-file-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readJobFile (the demo\'s --jobs)', () => {
  it('drops a UTF-8 byte-order mark before the first line', async () => {
    const file = join(dir, 'bom.jsonl');
    writeFileSync(file, '\uFEFF{"prompt":"one"}\r\n\r\n{"prompt":"two"}\n{oops\n');
    const { jobs, unreadable } = await readJobFile(file);
    expect(jobs).toEqual([
      { line: 1, job: { prompt: 'one' } },
      { line: 3, job: { prompt: 'two' } },
    ]);
    expect(unreadable.map((u) => u.line)).toEqual([4]);
  });

  it('a missing file is bad usage (exit 2) naming the file, not a raw ENOENT', async () => {
    const file = join(dir, 'nope.jsonl');
    const attempt = readJobFile(file);
    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toMatchObject({ exitCode: EXIT.usage, message: `cannot read the jobs file "${file}": no such file; pass a JSONL file, one job per line` });
  });

  it('a folder is bad usage too', async () => {
    await expect(readJobFile(dir)).rejects.toMatchObject({ exitCode: EXIT.usage, message: expect.stringContaining('a folder, not a file') as unknown });
  });
});
