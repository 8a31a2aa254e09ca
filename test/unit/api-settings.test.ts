import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadApiSettings } from '../../src/config/api-settings.js';
import { ConfigError } from '../../src/config/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'api-settings-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>): { where: string; message: string }[] {
  try {
    loadApiSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadApiSettings: FLEET_API_KEYS_FILE', () => {
  it('reads tenant:key lines from the file', () => {
    const file = join(dir, 'keys');
    writeFileSync(file, '# keys\nacme:0123456789abcdef\n');
    expect(loadApiSettings({ FLEET_API_KEYS_FILE: file }).keys).toEqual([{ tenant: 'acme', key: '0123456789abcdef' }]);
  });

  it('names FLEET_API_KEYS_FILE and the path when the file is missing, not FLEET_API_KEYS and a raw ENOENT', () => {
    const file = join(dir, 'no-such-keys');
    expect(problemsOf({ FLEET_API_KEYS_FILE: file })).toEqual([{ where: 'FLEET_API_KEYS_FILE', message: `cannot read "${file}": no such file` }]);
  });

  it('names FLEET_API_KEYS_FILE and the path when a line of it is bad', () => {
    const file = join(dir, 'bad-keys');
    writeFileSync(file, 'acme:short\n');
    const [problem] = problemsOf({ FLEET_API_KEYS_FILE: file });
    expect(problem?.where).toBe('FLEET_API_KEYS_FILE');
    expect(problem?.message).toContain(`"${file}": expected "tenant:key" entries`);
  });

  it('still names FLEET_API_KEYS for a bad inline value', () => {
    expect(problemsOf({ FLEET_API_KEYS: 'acme:short' })[0]?.where).toBe('FLEET_API_KEYS');
  });
});
