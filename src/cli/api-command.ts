import type { Command } from 'commander';
import { runApiProcess } from '../../workers/api.js';
import { parsePort } from './parse-port.js';

interface ApiFlags {
  port: number;
  host: string;
}

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description('run the HTTP API (jobs, batches, results, dashboards at /admin, OpenAPI at /docs)')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .action(async (flags: ApiFlags) => {
      const { url } = await runApiProcess({ port: flags.port, host: flags.host });
      console.error(`fleet API on ${url}  (OpenAPI: ${url}/docs, dashboards: ${url}/admin)`);
    });
}
