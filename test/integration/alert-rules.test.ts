import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The shipped alert rules, checked by Prometheus's own promtool: the PromQL
 * parses, and on synthetic series each alert fires when it should and not
 * otherwise (deploy/prometheus/fleet-alerts.test.yaml).
 */

const run = promisify(execFile);
const rules = new URL('../../deploy/prometheus/', import.meta.url).pathname;

/** PROMTOOL_PATH, else promtool on the PATH (Debian's prometheus package; .ci/run fetches it). */
function findPromtool(): string {
  if ((process.env.PROMTOOL_PATH ?? '') !== '') return process.env.PROMTOOL_PATH!;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'promtool');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error("promtool not found: set PROMTOOL_PATH, or install Debian's prometheus package (.ci/run fetches promtool from it)");
}

describe('the Prometheus alert rules (deploy/prometheus)', () => {
  const promtool = findPromtool();

  it('parse (promtool check rules)', async () => {
    const { stdout } = await run(promtool, ['check', 'rules', join(rules, 'fleet-alerts.yaml')]);
    expect(stdout).toContain('SUCCESS: 8 rules found');
  });

  it('fire when they should and not otherwise, on synthetic series (promtool test rules)', async () => {
    const { stdout } = await run(promtool, ['test', 'rules', join(rules, 'fleet-alerts.test.yaml')]);
    expect(stdout).toContain('SUCCESS');
  });
});
