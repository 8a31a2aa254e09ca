import { extractAnswer, normalizeText, type Extractor } from '../confidence/extract-answer.js';

type Metadata = Readonly<Record<string, string | number | boolean>>;

/**
 * The extractor named by a job's `metadata.goldenExtractor`: `exact`,
 * `number`, `choice` (or `choice:ABCD`), or `regex:<pattern>`. Undefined
 * when it names none of these.
 */
export function parseGoldenExtractor(value: unknown): Extractor | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === 'exact' || value === 'number') return { kind: value };
  if (value === 'choice') return { kind: 'choice' };
  const choice = /^choice:([A-Z]+)$/.exec(value);
  if (choice?.[1] !== undefined) return { kind: 'choice', letters: choice[1] };
  if (value.startsWith('regex:') && value.length > 'regex:'.length) {
    const pattern = value.slice('regex:'.length);
    try {
      new RegExp(pattern);
      return { kind: 'regex', pattern };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Whether an answer matches the job's golden answer (`metadata.golden`),
 * both reduced by the job's extractor (`metadata.goldenExtractor`), else the
 * experiment's, else `exact`. Undefined when the job has no golden answer.
 * An answer the extractor finds nothing in is wrong.
 */
export function judgeGolden(answer: string, metadata: Metadata, experimentExtractor?: Extractor): boolean | undefined {
  const golden = metadata.golden;
  if (golden === undefined) return undefined;
  const extractor = parseGoldenExtractor(metadata.goldenExtractor) ?? experimentExtractor ?? { kind: 'exact' };
  // A golden choice is a letter whatever its case ("b" is B); answers' letters are read in upper case.
  const goldenText = extractor.kind === 'choice' ? String(golden).toUpperCase() : String(golden);
  const expected = extractAnswer(goldenText, extractor) ?? normalizeText(goldenText);
  const got = extractAnswer(answer, extractor);
  return got !== undefined && got === expected;
}
