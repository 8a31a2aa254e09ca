import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { loadCustomRouter } from '../../../src/config/load-custom-router.js';
import { FLEET, job, snapshot } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'custom-router-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** Writes a module under a fresh name (ESM imports are cached by URL). */
function moduleFile(source: string, name = `router-${++counter}.mjs`): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

async function load(module: string, exportName?: string, warnings: string[] = []) {
  return loadCustomRouter({
    config: { module, ...(exportName === undefined ? {} : { export: exportName }) },
    baseDir: dir,
    fleet: FLEET,
    warn: (message) => warnings.push(message),
  });
}

/** The error a load fails with. */
async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadCustomRouter: loading', () => {
  it('loads the default export of a module given by absolute path and routes with it', async () => {
    const path = moduleFile(`export default function route(job, snapshot) {
      if (job.task !== 'legal') return undefined;
      return { tier: 'large', model: 'large.b', reason: 'legal work, ' + Object.keys(snapshot.breakers).length + ' breakers known' };
    }`);
    const router = await load(path);
    expect(router(job({ task: 'legal' }), snapshot())).toEqual({ tier: 'large', model: 'large.b', reason: 'legal work, 0 breakers known' });
    expect(router(job(), snapshot())).toBeUndefined();
  });

  it('loads a named export, reading a relative path from the base folder', async () => {
    moduleFile(`export const pick = () => ({ tier: 'medium', reason: 'always medium' });`, 'named.mjs');
    const router = await load('./named.mjs', 'pick');
    expect(router(job(), snapshot())).toEqual({ tier: 'medium', reason: 'always medium' });
  });

  it('refuses a missing file, naming its path', async () => {
    const path = join(dir, 'nowhere.mjs');
    const error = await failure(load(path));
    expect(error.message).toContain(`custom router ${path}`);
    expect(error.problems).toEqual([{ where: 'routing.custom.module', message: `cannot read the custom router module ${path} (ENOENT)` }]);
  });

  it('refuses a module that does not load, naming its path and why', async () => {
    const throwing = moduleFile("throw new Error('no database configured');");
    expect((await failure(load(throwing))).problems).toEqual([
      { where: 'routing.custom.module', message: `cannot load the custom router module ${throwing}: Error: no database configured` },
    ]);
    const broken = moduleFile('export default function (job) { return job..tier; }');
    const error = await failure(load(broken));
    expect(error.problems[0]?.where).toBe('routing.custom.module');
    expect(error.problems[0]?.message.startsWith(`cannot load the custom router module ${broken}: `)).toBe(true);
  });

  it('refuses a module without the export, listing what it exports', async () => {
    const path = moduleFile('export const a = 1; export function b() {}');
    const error = await failure(load(path));
    expect(error.problems).toEqual([
      { where: 'routing.custom.export', message: `the custom router module ${path} has no export "default" (it exports a, b)` },
    ]);
    const named = await failure(load(path, 'route'));
    expect(named.problems[0]?.message).toBe(`the custom router module ${path} has no export "route" (it exports a, b)`);
  });

  it('refuses an export that is not a function', async () => {
    const path = moduleFile('export const route = { tier: "small" };');
    const error = await failure(load(path, 'route'));
    expect(error.problems[0]?.message).toBe(
      `export "route" of the custom router module ${path} is a object; expected a function (job, snapshot) => { tier, model?, reason } | undefined`,
    );
  });
});

describe('loadCustomRouter: answers outside the fleet fall through', () => {
  it('warns, naming the module, and has no opinion for a tier or model not in the fleet', async () => {
    const path = moduleFile(`export default (job) => {
      switch (job.task) {
        case 'a': return { tier: 'huge', reason: 'x' };
        case 'b': return { model: 'nope.model' };
        case 'c': return { tier: 'small', model: 'large.a' };
        case 'd': throw new Error('boom');
        case 'e': return Promise.resolve({ tier: 'small' });
        case 'f': return 'small';
        default: return { model: 'medium.b' };
      }
    }`);
    const warnings: string[] = [];
    const router = await load(path, undefined, warnings);
    for (const task of ['a', 'b', 'c', 'd', 'e', 'f']) expect(router(job({ task }), snapshot()), task).toBeUndefined();
    expect(warnings).toEqual([
      `custom router ${path} chose tier "huge", which is not in the fleet (tiers: small, medium, large); the next router decides`,
      `custom router ${path} chose model "nope.model", which is in no tier of the fleet; the next router decides`,
      `custom router ${path} chose model "large.a" on tier "small", but that tier does not list it; the next router decides`,
      `custom router ${path} threw: boom; the next router decides`,
      `custom router ${path} returned a Promise; a routing function must answer synchronously; the next router decides`,
      `custom router ${path} returned a string; expected { tier, model?, reason } or undefined; the next router decides`,
    ]);
    // A model alone goes to its tier; a missing reason is said so.
    expect(router(job({ task: 'z' }), snapshot())).toEqual({ tier: 'medium', model: 'medium.b', reason: 'no reason given' });
  });
});
