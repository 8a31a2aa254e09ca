import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface JobLine {
  /** 1-based line number in the file. */
  line: number;
  job: unknown;
}

export interface UnreadableLine {
  line: number;
  error: string;
}

/** Reads a JSONL file of jobs, line by line; a line that is not JSON is reported, not fatal. */
export async function readJobFile(file: string): Promise<{ jobs: JobLine[]; unreadable: UnreadableLine[] }> {
  const jobs: JobLine[] = [];
  const unreadable: UnreadableLine[] = [];
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      jobs.push({ line, job: JSON.parse(text) as unknown });
    } catch (error) {
      unreadable.push({ line, error: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { jobs, unreadable };
}
