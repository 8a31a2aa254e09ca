import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load-settings.js';

const DIR = fileURLToPath(new URL('../../examples/fleets/', import.meta.url));

describe('example fleet files', () => {
  it.each(readdirSync(DIR).filter((f) => f.endsWith('.yaml')))('%s loads and passes every check', (file) => {
    const { fleet } = loadSettings({ env: {}, file: join(DIR, file) });
    expect(fleet.tiers.length).toBeGreaterThan(0);
  });
});
