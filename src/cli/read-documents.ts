import { createReadStream, type ReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { CliError, errorCode, EXIT } from './cli-error.js';
import { documentIdFromFileName, uniqueId } from './document-id.js';

/** Files of a folder that are documents, one document each. */
export const DOCUMENT_EXTENSIONS: readonly string[] = ['.txt', '.md', '.markdown'];

/** A JSONL line that is not JSON: passed on, so the fleet refuses it by position like any bad document. */
export class UnreadableLine {
  constructor(
    /** 1-based line number. */
    readonly line: number,
    readonly text: string,
  ) {}
}

/** A document as read: a JSON value (a job object or a string), or an UnreadableLine. */
export type SourceDocument = unknown;

/** How a source's documents are read: JSONL lines (ids their own), or files whose ids come from their names. */
export type DocumentSourceKind = 'jsonl' | 'folder' | 'text-file';

export interface DocumentSource {
  /** What is read, for messages: `docs/ (20 files)`, `jobs.jsonl`, `stdin`. */
  label: string;
  kind: DocumentSourceKind;
  /** Entries of a folder that are not documents (subfolders, other files), skipped: `sub/`, `data.json`. */
  skipped: string[];
  /** How far reading got: files of a folder, or bytes of a file; no total for stdin. */
  progress(): { done: number; total: number | undefined };
  /** Where the document at a 0-based position came from, once read: `notes.md`, `line 12`. */
  where(index: number): string;
  /** Read once, as consumed. */
  documents: AsyncIterable<SourceDocument>;
}

export interface OpenDocumentsOptions {
  /** For `-`; process.stdin by default. */
  stdin?: NodeJS.ReadableStream;
  /** Put in front of ids derived from file names (not of ids in JSONL). */
  idPrefix?: string;
}

const HINT = 'pass a JSONL file, a folder of .txt/.md files, or - for stdin';

function unreadable(path: string, error: unknown): CliError {
  const code = errorCode(error);
  const reason =
    code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
  return new CliError(`cannot read "${path}": ${reason}; ${HINT}`, EXIT.usage);
}

const isDocumentFile = (name: string): boolean => DOCUMENT_EXTENSIONS.includes(extname(name).toLowerCase());

/** Text of a document file, without a byte-order mark. */
async function readText(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    throw unreadable(file, error);
  }
}

/**
 * One JSON value per non-blank line; lines that are not JSON become
 * UnreadableLine. A byte-order mark before the first line is dropped.
 * Line numbers go to `lines`.
 */
async function* jsonLines(input: NodeJS.ReadableStream, path: string, lines: number[]): AsyncGenerator<SourceDocument> {
  let line = 0;
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      line += 1;
      const content = line === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (content.trim() === '') continue;
      lines.push(line);
      try {
        yield JSON.parse(content) as unknown;
      } catch {
        yield new UnreadableLine(line, content);
      }
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw unreadable(path, error);
  }
}

/** `sub/, data.json, notes.pdf and 4 more`: the first few skipped entries of a folder. */
export function nameAFew(names: readonly string[], few = 5): string {
  const shown = names.slice(0, few).join(', ');
  return names.length > few ? `${shown} and ${names.length - few} more` : shown;
}

/** The note for entries of a folder that were not read, or undefined when none were skipped. */
export function skippedNote(source: Pick<DocumentSource, 'skipped'>): string | undefined {
  const n = source.skipped.length;
  if (n === 0) return undefined;
  return `note: skipped ${n} ${n === 1 ? 'entry' : 'entries'} (subfolders, files not ${DOCUMENT_EXTENSIONS.join('/')}): ${nameAFew(source.skipped)}`;
}

async function openFolder(path: string, options: OpenDocumentsOptions): Promise<DocumentSource> {
  let names: string[];
  const skipped: string[] = [];
  try {
    const entries = await readdir(path, { withFileTypes: true });
    names = [];
    for (const e of entries) {
      // Hidden entries (.git, .DS_Store) are nobody's documents: passed over without a word, as `ls` does.
      if (e.name.startsWith('.')) continue;
      if ((e.isFile() || e.isSymbolicLink()) && isDocumentFile(e.name)) names.push(e.name);
      else skipped.push(e.isDirectory() ? `${e.name}/` : e.name);
    }
    names.sort();
    skipped.sort();
  } catch (error) {
    throw unreadable(path, error);
  }
  if (names.length === 0) {
    const others = skipped.length === 0 ? '' : ` (only ${nameAFew(skipped)}; subfolders are not read)`;
    throw new CliError(`no ${DOCUMENT_EXTENSIONS.join('/')} files in "${path}"${others}; ${HINT}`, EXIT.usage);
  }
  let done = 0;
  async function* documents(): AsyncGenerator<SourceDocument> {
    const taken = new Set<string>();
    for (const name of names) {
      const document = await readText(join(path, name));
      done += 1;
      yield { id: uniqueId(documentIdFromFileName(name, options.idPrefix), taken), document, metadata: { file: name } };
    }
  }
  return {
    label: `${path} (${names.length} files)`,
    kind: 'folder',
    skipped,
    progress: () => ({ done, total: names.length }),
    where: (index) => names[index] ?? `document ${index + 1}`,
    documents: documents(),
  };
}

/**
 * The documents to enqueue, from:
 * - a folder: each .txt/.md file is one document, `{ id, document, metadata: { file } }`,
 *   its id derived from the file name, in file-name order;
 * - a .txt/.md file: that one document;
 * - any other file, or `-` (stdin): JSONL, one job object or JSON string per line.
 * Throws a CliError (exit 2) when the path cannot be read.
 */
export async function openDocuments(path: string, options: OpenDocumentsOptions = {}): Promise<DocumentSource> {
  const lines: number[] = [];
  const where = (index: number): string => `line ${lines[index] ?? '?'}`;
  if (path === '-') {
    return {
      label: 'stdin',
      kind: 'jsonl',
      skipped: [],
      progress: () => ({ done: lines.length, total: undefined }),
      where,
      documents: jsonLines(options.stdin ?? process.stdin, 'stdin', lines),
    };
  }

  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  if (info.isDirectory()) return openFolder(path, options);
  if (!info.isFile()) throw new CliError(`"${path}" is not a file or a folder; ${HINT}`, EXIT.usage);

  if (isDocumentFile(path)) {
    const name = basename(path);
    let done = 0;
    async function* one(): AsyncGenerator<SourceDocument> {
      const document = await readText(path);
      done = 1;
      yield { id: documentIdFromFileName(name, options.idPrefix), document, metadata: { file: name } };
    }
    return { label: path, kind: 'text-file', skipped: [], progress: () => ({ done, total: 1 }), where: () => name, documents: one() };
  }

  let stream: ReadStream | undefined;
  async function* fileLines(): AsyncGenerator<SourceDocument> {
    stream = createReadStream(path);
    yield* jsonLines(stream, path, lines);
  }
  return {
    label: path,
    kind: 'jsonl',
    skipped: [],
    progress: () => ({ done: stream?.bytesRead ?? 0, total: info.size }),
    where,
    documents: fileLines(),
  };
}
