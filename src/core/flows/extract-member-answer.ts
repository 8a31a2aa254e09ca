import { extractAnswer, type Extractor } from '../confidence/extract-answer.js';

/**
 * The comparable answer in a member's text. For means (`numeric`), a regex
 * extractor's match is read as a number, keeping its sign and decimal point
 * (the plain regex extractor normalizes them away). Pure.
 */
export function extractMemberAnswer(text: string, extractor: Extractor, numeric: boolean): string | undefined {
  if (numeric && extractor.kind === 'regex') {
    const match = new RegExp(extractor.pattern, extractor.flags ?? 'i').exec(text);
    const found = match?.[1] ?? match?.[0];
    return found === undefined ? undefined : extractAnswer(found, { kind: 'number' });
  }
  return extractAnswer(text, extractor);
}

/** The extractor an ensemble uses: its own, or `exact` for votes and `number` for means. */
export function ensembleExtractor(combine: string, extractor: Extractor | undefined): Extractor {
  return extractor ?? (combine === 'mean' || combine === 'weighted-mean' ? { kind: 'number' } : { kind: 'exact' });
}
