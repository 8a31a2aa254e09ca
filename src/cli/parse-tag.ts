import { InvalidArgumentError } from 'commander';

/** Job tags as the fleet accepts them: keys of 1-64 characters, values up to 256. */
const MAX_KEY = 64;
const MAX_VALUE = 256;

/**
 * `--tag key=value`, repeatable: adds one tag to those given before. The
 * key stops at the first `=` (or `:`), so values may hold either; a key
 * given twice keeps the last value.
 */
export function parseTag(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.search(/[=:]/);
  const key = at < 0 ? '' : text.slice(0, at).trim();
  const value = at < 0 ? '' : text.slice(at + 1);
  if (key === '') throw new InvalidArgumentError(`expected key=value, got "${text}"`);
  if (key.length > MAX_KEY) throw new InvalidArgumentError(`a tag key has at most ${MAX_KEY} characters, got "${key.slice(0, 20)}…"`);
  if (value.length > MAX_VALUE) throw new InvalidArgumentError(`a tag value has at most ${MAX_VALUE} characters (tag "${key}")`);
  return { ...previous, [key]: value };
}

/** Tags as the API's query parameters: `tag=key:value`, one per tag. */
export function tagsToQuery(tags: Record<string, string>, query: URLSearchParams): void {
  for (const [key, value] of Object.entries(tags)) query.append('tag', `${key}:${value}`);
}
