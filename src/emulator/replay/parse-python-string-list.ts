/** Single-character Python escapes and what they stand for. */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r',
  a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '',
};
/** Hex escapes and how many digits they take. */
const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

function fail(literal: string, pos: number, what: string): never {
  const near = JSON.stringify(literal.slice(pos, pos + 20));
  throw new Error(`parsePythonStringList: ${what} at offset ${pos} (near ${near})`);
}

/** Reads the string literal opening at `start`; returns its value and the offset after it. */
function readString(literal: string, start: number): [string, number] {
  const quote = literal[start];
  let out = '';
  let i = start + 1;
  for (;;) {
    const ch = literal[i];
    if (ch === undefined) fail(literal, start, 'unterminated string literal');
    if (ch === quote) return [out, i + 1];
    if (ch === '\n') fail(literal, i, 'raw newline inside a quoted string');
    if (ch !== '\\') {
      out += ch;
      i += 1;
      continue;
    }
    const esc = literal[i + 1];
    if (esc === undefined) fail(literal, i, 'backslash at end of input');
    const simple = SIMPLE_ESCAPES[esc];
    const digits = HEX_ESCAPES[esc];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (digits !== undefined) {
      const hex = literal.slice(i + 2, i + 2 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) fail(literal, i, `truncated \\${esc} escape`);
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) fail(literal, i, `\\${esc} escape beyond U+10FFFF`);
      out += String.fromCodePoint(code);
      i += 2 + digits;
    } else if (esc >= '0' && esc <= '7') {
      const oct = /^[0-7]{1,3}/.exec(literal.slice(i + 1, i + 4))?.[0] ?? esc;
      out += String.fromCodePoint(parseInt(oct, 8));
      i += 1 + oct.length;
    } else {
      out += '\\' + esc; // Python keeps unknown escapes as written.
      i += 2;
    }
  }
}

/**
 * Parses a Python list literal of string literals, e.g. `['C\n', "it's"]`, as
 * `repr()` writes it. Supports single and double quotes and Python's escapes;
 * throws an Error naming the problem and its offset on anything else.
 */
export function parsePythonStringList(literal: string): string[] {
  const skipSpace = (from: number): number => {
    let i = from;
    while (i < literal.length && /\s/.test(literal[i] ?? '')) i += 1;
    return i;
  };
  let i = skipSpace(0);
  if (literal[i] !== '[') fail(literal, i, "expected '[' to open the list");
  const items: string[] = [];
  i = skipSpace(i + 1);
  while (literal[i] !== ']') {
    const ch = literal[i];
    if (ch === undefined) fail(literal, i, "unexpected end of input, expected ']'");
    if (ch !== "'" && ch !== '"') fail(literal, i, 'expected a quoted string or \']\'');
    const [value, next] = readString(literal, i);
    items.push(value);
    i = skipSpace(next);
    if (literal[i] === ',') i = skipSpace(i + 1);
    else if (literal[i] !== ']') fail(literal, i, "expected ',' or ']' after a string");
  }
  if (skipSpace(i + 1) !== literal.length) fail(literal, i + 1, "unexpected text after ']'");
  return items;
}
