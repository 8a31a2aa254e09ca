import { dirname, resolve } from 'node:path';
import { guardRouter, type UntrustedRouter } from '../core/routing/guard-router.js';
import type { Router } from '../core/routing/router.js';
import type { RoutingFleet } from '../core/routing/routing-fleet.js';
import { loadUserFunction } from './load-user-function.js';
import type { CustomRouterConfig } from './routers-schema.js';

export interface LoadCustomRouterOptions {
  config: CustomRouterConfig;
  /** Where a relative module path is read from: the fleet file's folder. */
  baseDir: string;
  fleet: RoutingFleet;
  /** Told when the function's answer is refused (a tier or model not in the fleet, a throw); the next router then decides. */
  warn: (message: string) => void;
}

/** The folder a fleet file's relative paths are read from. */
export function fleetFileDir(fleetFile: string): string {
  return dirname(resolve(fleetFile));
}

/**
 * Loads the user's routing module once, at startup: an ES module (a `.mjs`
 * or `.js` file, or `.ts` under tsx) whose default export, or the export
 * named by `export`, is a function `(job, snapshot) => { tier, model?,
 * reason } | undefined`. Throws a ConfigError naming the module's path when
 * the file is missing, fails to load, or lacks the export (or it is not a
 * function). The returned router refuses answers naming a tier or model that
 * is not in the fleet: it warns and has no opinion, so the next router decides.
 */
export async function loadCustomRouter(options: LoadCustomRouterOptions): Promise<Router> {
  const { config } = options;
  const { fn, path, name } = await loadUserFunction(
    { module: config.module, export: config.export, at: 'routing.custom', what: 'custom router', signature: 'a function (job, snapshot) => { tier, model?, reason } | undefined' },
    options.baseDir,
  );
  const label = `custom router ${path}${name === 'default' ? '' : ` (export "${name}")`}`;
  return guardRouter(fn as UntrustedRouter, { fleet: options.fleet, label, warn: options.warn });
}
