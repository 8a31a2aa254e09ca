import { describe, expect, it } from 'vitest';
import { defaultsFromQuery } from '../../../src/api/routes/batch-input.js';
import { ApiError } from '../../../src/api/api-error.js';

describe('batch defaults from query parameters', () => {
  it('takes task, strategy, flow, tier, model, template and tags', () => {
    expect(
      defaultsFromQuery({ task: 'qa', strategy: 'ensemble', flow: 'three-judges', tier: 'small', model: 'm.x', template: 't', tag: ['team:search', 'env=prod'] }),
    ).toEqual({ task: 'qa', strategy: 'ensemble', flow: 'three-judges', tier: 'small', model: 'm.x', template: 't', tags: { team: 'search', env: 'prod' } });
  });
  it('ignores empty and unknown parameters', () => {
    expect(defaultsFromQuery({ task: '', id: 'b-1', order: 'input' })).toEqual({});
  });
  it('refuses a tag without a key', () => {
    expect(() => defaultsFromQuery({ tag: ':x' })).toThrow(ApiError);
  });
});
