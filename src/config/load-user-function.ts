import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './config-error.js';

export interface UserFunctionSpec {
  /** The module's path as written; relative paths are read from `baseDir`. */
  module: string;
  /** The export to use; `default` when unset. */
  export?: string | undefined;
  /** Exports tried in turn after it when it is not a function (`combine`). */
  orExports?: readonly string[] | undefined;
  /** Where the fleet file names it (`routing.custom`); errors name `<at>.module` or `<at>.export`. */
  at: string;
  /** What it is, for the errors (`custom router`). */
  what: string;
  /** The shape expected, for the errors (`a function (job, snapshot) => …`). */
  signature: string;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the caller checks what it calls
export type UserFunction = Function;

export interface LoadedUserFunction {
  fn: UserFunction;
  /** The module's absolute path. */
  path: string;
  /** The export used. */
  name: string;
}

/**
 * Loads a function from a user's ES module (a `.mjs` or `.js` file, or `.ts`
 * under tsx): its default export or a named one. Throws a ConfigError naming
 * the path when the file is missing, fails to load, or lacks the export, or
 * the export is not a function.
 */
export async function loadUserFunction(spec: UserFunctionSpec, baseDir: string): Promise<LoadedUserFunction> {
  const path = isAbsolute(spec.module) ? spec.module : resolve(baseDir, spec.module);
  const fail = (field: 'module' | 'export', message: string): never => {
    throw new ConfigError(`${spec.what} ${path}`, [{ where: `${spec.at}.${field}`, message }]);
  };
  try {
    await access(path);
  } catch (error) {
    fail('module', `cannot read the ${spec.what} module ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let loaded: Record<string, unknown> = {};
  try {
    loaded = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    fail('module', `cannot load the ${spec.what} module ${path}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
  const names = [spec.export ?? 'default', ...(spec.orExports ?? [])];
  const name = names.find((n) => typeof loaded[n] === 'function') ?? names[0] ?? 'default';
  const exported = loaded[name];
  const wanted = names.map((n) => `"${n}"`).join(' or ');
  if (exported === undefined) {
    const has = Object.keys(loaded);
    fail('export', `the ${spec.what} module ${path} has no export ${wanted} (${has.length === 0 ? 'it exports nothing' : `it exports ${has.join(', ')}`})`);
  }
  if (typeof exported !== 'function') {
    fail('export', `export "${name}" of the ${spec.what} module ${path} is ${exported === null ? 'null' : `a ${typeof exported}`}; expected ${spec.signature}`);
  }
  return { fn: exported as UserFunction, path, name };
}
