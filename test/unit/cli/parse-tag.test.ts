import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseTag, tagsToQuery } from '../../../src/cli/parse-tag.js';

describe('parseTag (--tag key=value, repeatable)', () => {
  it('splits at the first = and adds to the tags given before', () => {
    const once = parseTag('team=docs');
    expect(once).toEqual({ team: 'docs' });
    expect(parseTag('env=prod', once)).toEqual({ team: 'docs', env: 'prod' });
    expect(once).toEqual({ team: 'docs' });
  });

  it('accepts key:value too, keeps = and : in values, and allows empty values', () => {
    expect(parseTag('url=http://x/?a=b')).toEqual({ url: 'http://x/?a=b' });
    expect(parseTag('team:docs')).toEqual({ team: 'docs' });
    expect(parseTag('flag=')).toEqual({ flag: '' });
  });

  it('keeps the last value of a key given twice', () => {
    expect(parseTag('team=b', parseTag('team=a'))).toEqual({ team: 'b' });
  });

  it('refuses a tag without a key, or with a key or value too long', () => {
    expect(() => parseTag('docs')).toThrow(InvalidArgumentError);
    expect(() => parseTag('=docs')).toThrow(/expected key=value, got "=docs"/);
    expect(() => parseTag(`${'k'.repeat(65)}=v`)).toThrow(/at most 64/);
    expect(() => parseTag(`k=${'v'.repeat(257)}`)).toThrow(/at most 256/);
  });

  it('turns tags into the API query parameters tag=key:value', () => {
    const query = new URLSearchParams();
    tagsToQuery({ team: 'docs', url: 'a=b' }, query);
    expect(query.getAll('tag')).toEqual(['team:docs', 'url:a=b']);
  });
});
