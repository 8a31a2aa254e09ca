import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directModeExports, shellQuote } from '../../../src/cli/direct-mode-exports.js';

const fleet = { redisUrl: 'redis://127.0.0.1:6379', name: 'fleet' };

describe("fleet up's export line for direct mode", () => {
  it('is REDIS_URL and FLEET_NAME when FLEET_CONFIG is unset or empty', () => {
    expect(directModeExports({}, fleet)).toBe('export REDIS_URL=redis://127.0.0.1:6379 FLEET_NAME=fleet');
    expect(directModeExports({ FLEET_CONFIG: '' }, fleet)).toBe('export REDIS_URL=redis://127.0.0.1:6379 FLEET_NAME=fleet');
  });

  it('adds FLEET_CONFIG as an absolute path when it is set, so direct-mode commands check jobs against the same fleet file', () => {
    expect(directModeExports({ FLEET_CONFIG: 'examples/fleets/orchestration.yaml' }, fleet)).toBe(
      `export REDIS_URL=redis://127.0.0.1:6379 FLEET_NAME=fleet FLEET_CONFIG=${resolve('examples/fleets/orchestration.yaml')}`,
    );
    expect(directModeExports({ FLEET_CONFIG: '/etc/fleet.yaml' }, fleet)).toContain(' FLEET_CONFIG=/etc/fleet.yaml');
  });

  it("carries the routing table's model ids when set", () => {
    expect(directModeExports({ PRIMARY_MODEL_ID: 'amazon.nova-pro-v1:0' }, fleet)).toBe(
      'export REDIS_URL=redis://127.0.0.1:6379 FLEET_NAME=fleet PRIMARY_MODEL_ID=amazon.nova-pro-v1:0',
    );
  });

  it('quotes values the shell would split', () => {
    expect(shellQuote('/home/me/my fleets/a.yaml')).toBe(`'/home/me/my fleets/a.yaml'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('redis://:p@ss@host:6379/0')).toBe('redis://:p@ss@host:6379/0');
  });
});
