import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkScenarioFile } from '../../../src/cli/check-scenario-file.js';
import { CliError, EXIT } from '../../../src/cli/cli-error.js';
import { ConfigError } from '../../../src/config/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'check-scenario-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SCENARIOS = fileURLToPath(new URL('../../../examples/scenarios/', import.meta.url));

describe('checkScenarioFile (demo and up check --scenario before starting anything)', () => {
  it('accepts the shipped scenarios', async () => {
    for (const name of readdirSync(SCENARIOS).filter((n) => n.endsWith('.yaml') && n !== 'replay-routerbench.yaml')) {
      await expect(checkScenarioFile(join(SCENARIOS, name))).resolves.toBeUndefined();
    }
  });

  it('a missing file is bad usage (exit 2) naming it', async () => {
    const file = join(dir, 'nope.yaml');
    const attempt = checkScenarioFile(file);
    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toMatchObject({ exitCode: EXIT.usage, message: expect.stringContaining(`cannot read the scenario "${file}": no such file`) as unknown });
  });

  it('a file that is not a valid scenario is a configuration error naming the fields', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'seed: x\nbogus: 1\n');
    const attempt = checkScenarioFile(file);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/seed: .*number/);
  });

  it('replay files that cannot be read are named', async () => {
    const file = join(dir, 'replay.yaml');
    writeFileSync(file, 'replay:\n  routerbench: [missing.csv]\n');
    await expect(checkScenarioFile(file)).rejects.toThrow(`replay.routerbench[0]: cannot read "${join(dir, 'missing.csv')}": no such file`);
  });
});
