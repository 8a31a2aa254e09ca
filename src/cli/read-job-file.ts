import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CliError, errorCode, EXIT } from './cli-error.js';

export interface JobLine {
  /** 1-based line number in the file. */
  line: number;
  job: unknown;
}

export interface UnreadableLine {
  line: number;
  error: string;
}

function cannotRead(file: string, error: unknown): CliError {
  const code = errorCode(error);
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'a folder, not a file'
          : error instanceof Error
            ? error.message
            : String(error);
  return new CliError(`cannot read the jobs file "${file}": ${reason}; pass a JSONL file, one job per line`, EXIT.usage);
}

/**
 * Reads a JSONL file of jobs, line by line; a line that is not JSON is
 * reported, not fatal. A byte-order mark before the first line is dropped.
 * A file that cannot be read is a CliError (exit 2) naming it.
 */
export async function readJobFile(file: string): Promise<{ jobs: JobLine[]; unreadable: UnreadableLine[] }> {
  try {
    if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (error) {
    throw cannotRead(file, error);
  }
  const jobs: JobLine[] = [];
  const unreadable: UnreadableLine[] = [];
  let line = 0;
  try {
    for await (const raw of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
      line += 1;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      try {
        jobs.push({ line, job: JSON.parse(text) as unknown });
      } catch (error) {
        unreadable.push({ line, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  } catch (error) {
    throw cannotRead(file, error);
  }
  return { jobs, unreadable };
}
