import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file served as is, streamed from disk. */
export interface StaticAsset {
  file: string;
  contentType: string;
}

export interface DashboardAssets {
  /** HTML templates, with `{{placeholders}}`. */
  loginTemplate: string;
  overviewTemplate: string;
  /** Served under `<basePath>/assets/<name>`. */
  files: ReadonlyMap<string, StaticAsset>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Chart.js's browser build, from the installed package (never a CDN). */
function chartJsFile(): string {
  // The package exports only its entry points; its browser build sits beside the CommonJS one.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(entry), 'chart.umd.min.js');
}

/** Reads the dashboard's templates and checks its files exist, once at start-up; throws naming a missing file. */
export function loadDashboardAssets(): DashboardAssets {
  const files = new Map<string, StaticAsset>([
    ['overview.js', { file: join(here, 'overview.js'), contentType: 'text/javascript; charset=utf-8' }],
    ['dashboard.css', { file: join(here, 'dashboard.css'), contentType: 'text/css; charset=utf-8' }],
    ['chart.umd.min.js', { file: chartJsFile(), contentType: 'text/javascript; charset=utf-8' }],
  ]);
  for (const { file } of files.values()) {
    if (!existsSync(file)) throw new Error(`dashboard file missing: ${file}`);
  }
  return {
    loginTemplate: readFileSync(join(here, 'login.html'), 'utf8'),
    overviewTemplate: readFileSync(join(here, 'overview.html'), 'utf8'),
    files,
  };
}
