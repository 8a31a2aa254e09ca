import { describe, it, expect } from 'vitest';
import { parsePythonStringList } from '../../src/emulator/replay/parse-python-string-list.js';

describe('parsePythonStringList', () => {
  it('parses single- and double-quoted strings', () => {
    expect(parsePythonStringList("['C\\n']")).toEqual(['C\n']);
    expect(parsePythonStringList('["hello"]')).toEqual(['hello']);
    expect(parsePythonStringList(`['a', "b"]`)).toEqual(['a', 'b']);
  });

  it('accepts empty lists, empty strings, whitespace and a trailing comma', () => {
    expect(parsePythonStringList('[]')).toEqual([]);
    expect(parsePythonStringList("['']")).toEqual(['']);
    expect(parsePythonStringList("  [ 'a' ,\n 'b', ]  ")).toEqual(['a', 'b']);
  });

  it('handles embedded quotes, escaped or not', () => {
    // repr() switches to double quotes when the text holds a single quote.
    expect(parsePythonStringList(`["it's"]`)).toEqual(["it's"]);
    expect(parsePythonStringList(`['it\\'s']`)).toEqual(["it's"]);
    expect(parsePythonStringList(`['say "hi"']`)).toEqual(['say "hi"']);
    expect(parsePythonStringList(`["say \\"hi\\""]`)).toEqual(['say "hi"']);
    expect(parsePythonStringList(`['a, b]', "c']"]`)).toEqual(['a, b]', "c']"]);
  });

  it('decodes Python escapes', () => {
    expect(parsePythonStringList(String.raw`['a\tb\rc\nd']`)).toEqual(['a\tb\rc\nd']);
    expect(parsePythonStringList(String.raw`['back\\slash']`)).toEqual(['back\\slash']);
    expect(parsePythonStringList(String.raw`['\x41\xe9']`)).toEqual(['Aé']);
    expect(parsePythonStringList(String.raw`['\u00e9\u2014']`)).toEqual(['é—']);
    expect(parsePythonStringList(String.raw`['\U0001F600']`)).toEqual(['😀']);
    expect(parsePythonStringList(String.raw`['\a\b\f\v\0\101']`)).toEqual(['\x07\b\f\v\0A']);
  });

  it('keeps unknown escapes as backslash plus character, like Python', () => {
    expect(parsePythonStringList(String.raw`['\d+\.\w']`)).toEqual(['\\d+\\.\\w']);
  });

  it('keeps non-ASCII text as is', () => {
    expect(parsePythonStringList("['naïve — 日本 😀']")).toEqual(['naïve — 日本 😀']);
  });

  it('parses multiline text written with \\n escapes', () => {
    const literal = String.raw`['def f(x):\n    return x\n\nprint(f(1))\n']`;
    expect(parsePythonStringList(literal)).toEqual(['def f(x):\n    return x\n\nprint(f(1))\n']);
  });

  it('throws a clear error on malformed input', () => {
    const cases: [string, RegExp][] = [
      ['', /expected '\['/],
      ["'a'", /expected '\['/],
      ['[', /unexpected end of input/],
      ["['a'", /expected ',' or '\]'/],
      ["['a' 'b']", /expected ',' or '\]'/],
      ["['abc]", /unterminated string literal/],
      ['[abc]', /expected a quoted string/],
      ['[1]', /expected a quoted string/],
      ["['a'] x", /unexpected text after '\]'/],
      ["['a\nb']", /raw newline/],
      [String.raw`['\x4']`, /truncated \\x escape/],
      [String.raw`['\u12']`, /truncated \\u escape/],
      [String.raw`['\U00110000']`, /beyond U\+10FFFF/],
      ["['abc\\", /backslash at end of input/],
    ];
    for (const [literal, message] of cases) {
      expect(() => parsePythonStringList(literal), JSON.stringify(literal)).toThrow(message);
    }
  });

  it('names the offset of the problem', () => {
    expect(() => parsePythonStringList("['a'; 'b']")).toThrow(/offset 4/);
  });
});
