import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/core/cache/canonical-json.js';
import { isCacheable, responseCacheKey } from '../../../src/core/cache/response-cache-key.js';
import type { ModelRequest } from '../../../src/core/model-request.js';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

function request(over: Partial<ModelRequest> = {}): ModelRequest {
  return {
    modelId: HAIKU,
    messages: [{ role: 'user', content: [{ text: 'Capital of France?' }] }],
    system: ['Be brief.'],
    inference: { temperature: 0, maxTokens: 100 },
    toolConfig: { tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object', properties: { q: { type: 'string' } } } } } }] },
    ...over,
  };
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves array order alone', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined fields and writes bytes as base64', () => {
    expect(canonicalJson({ a: undefined, b: new Uint8Array([1, 2, 3]) })).toBe('{"b":{"$bytes":"AQID"}}');
  });
});

describe('responseCacheKey', () => {
  it('is a sha256 hex digest', () => {
    expect(responseCacheKey(request())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same request written in another key order', () => {
    const reordered: ModelRequest = {
      toolConfig: { tools: [{ toolSpec: { inputSchema: { json: { properties: { q: { type: 'string' } }, type: 'object' } }, name: 'lookup' } }] },
      inference: { maxTokens: 100, temperature: 0 },
      system: ['Be brief.'],
      messages: [{ content: [{ text: 'Capital of France?' }], role: 'user' }],
      modelId: HAIKU,
    };
    expect(responseCacheKey(reordered)).toBe(responseCacheKey(request()));
  });

  it('differs for another model, temperature, message, system prompt or tool config', () => {
    const base = responseCacheKey(request());
    const others = [
      request({ modelId: 'amazon.nova-micro-v1:0' }),
      request({ inference: { temperature: 0.7, maxTokens: 100 } }),
      request({ inference: { temperature: 0, maxTokens: 101 } }),
      request({ messages: [{ role: 'user', content: [{ text: 'Capital of Spain?' }] }] }),
      request({ system: ['Be verbose.'] }),
      request({ toolConfig: { tools: [] } }),
    ].map(responseCacheKey);
    for (const other of others) expect(other).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
  });
});

describe('isCacheable', () => {
  it('deterministic: only temperature 0', () => {
    expect(isCacheable(request(), 'deterministic')).toBe(true);
    expect(isCacheable(request({ inference: { temperature: 0.7 } }), 'deterministic')).toBe(false);
    expect(isCacheable(request({ inference: {} }), 'deterministic')).toBe(false);
    const noInference = request();
    delete noInference.inference;
    expect(isCacheable(noInference, 'deterministic')).toBe(false);
  });

  it('always and off ignore the temperature', () => {
    expect(isCacheable(request({ inference: { temperature: 0.7 } }), 'always')).toBe(true);
    expect(isCacheable(request(), 'off')).toBe(false);
  });
});
