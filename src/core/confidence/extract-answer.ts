/** How an answer is reduced to something comparable across models. */
export type Extractor =
  | { kind: 'choice'; letters?: string }
  | { kind: 'number' }
  | { kind: 'exact' }
  | { kind: 'regex'; pattern: string; flags?: string };

const CHOICE_PATTERNS = [
  /\banswer\s*(?:is|:)?\s*[:-]?\s*\(?([A-Z])\)?(?![a-z])/i,
  /\boption\s*\(?([A-Z])\)?(?![a-z])/i,
  /^\s*\(?([A-Z])\)?\s*(?:[.):\n]|$)/,
  /\(([A-Z])\)/,
];

/** A lower-case letter after "answer"/"option" is a choice only when set off ("answer: b.", "option c)"), not a word ("answer is a bit"). */
function setOff(match: RegExpExecArray, text: string): boolean {
  const found = match[1] ?? '';
  if (found !== found.toLowerCase()) return true;
  return match[0].endsWith(')') || /^\s*(?:[.,:;!?]|$)/.test(text.slice(match.index + match[0].length));
}

function extractChoice(text: string, letters: string): string | undefined {
  for (const pattern of CHOICE_PATTERNS) {
    const match = pattern.exec(text);
    if (match === null || !setOff(match, text)) continue;
    const letter = match[1]?.toUpperCase();
    if (letter !== undefined && letters.includes(letter)) return letter;
  }
  const lone = text.match(new RegExp(`\\b[${letters}]\\b`, 'g'));
  return lone?.length === 1 ? lone[0] : undefined;
}

function extractNumber(text: string): string | undefined {
  // Thousands separators go, however many: 1,000,000 → 1000000.
  const numbers = text.replace(/(\d),(?=\d{3}(?!\d))/g, '$1').match(/-?\d+(?:\.\d+)?/g);
  const last = numbers?.at(-1);
  return last === undefined ? undefined : String(Number(last));
}

/** Lower case, no punctuation, single spaces: answers that differ only in form compare equal. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The comparable answer in a model's text: a choice letter, the last
 * number, the normalized text, or a regex's first group. Undefined when the
 * text holds none (an abstention, which never agrees with anything).
 */
export function extractAnswer(text: string, extractor: Extractor): string | undefined {
  switch (extractor.kind) {
    case 'choice':
      return extractChoice(text, extractor.letters ?? 'ABCDE');
    case 'number':
      return extractNumber(text);
    case 'exact': {
      const normalized = normalizeText(text);
      return normalized === '' ? undefined : normalized;
    }
    case 'regex': {
      const match = new RegExp(extractor.pattern, extractor.flags ?? 'i').exec(text);
      const value = match?.[1] ?? match?.[0];
      return value === undefined ? undefined : normalizeText(value);
    }
  }
}
