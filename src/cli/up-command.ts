import { Option, type Command } from 'commander';
import { runFleetUp } from '../../workers/up.js';
import { AWS_CREDENTIAL_VARIABLES } from '../converse/aws-credentials-in-env.js';
import { cliAction, oneLineUsageErrors } from './cli-error.js';
import { parsePort } from './parse-port.js';

interface UpFlags {
  port: number;
  host: string;
  emulator?: boolean;
  bedrock?: boolean;
  scenario?: string;
  logs?: string;
  json?: boolean;
}

export function registerUpCommand(program: Command): void {
  const command = program
    .command('up')
    .description('the whole fleet on this machine until Ctrl-C: Redis, the emulator (unless real Bedrock is configured), a worker per tier, the API')
    .option('-p, --port <port>', "the API's port (0 picks a free one; the URL is printed as \"API: <url>\")", parsePort, 8080)
    .option('--host <host>', 'address the API binds', '127.0.0.1')
    .addOption(new Option('--emulator', 'start the emulator even when BEDROCK_ENDPOINT or AWS credentials are set').conflicts('bedrock'))
    .option('--bedrock', "use real Bedrock with the AWS SDK's default credentials (an EC2 instance role, the default profile of ~/.aws) even when none are in the environment")
    .option('-s, --scenario <file>', "the emulator's scenario file (latency, faults, answers)")
    .option('--logs <dir>', 'where the processes write their logs (default: a new temporary folder)')
    .option('--json', 'once running, print one JSON line on stdout: url, keys, pids, log folder');
  oneLineUsageErrors(command);
  command.addHelpText(
    'after',
    `
Redis: REDIS_URL when it answers, else a private redis-server (stopped with the fleet).
Bedrock: BEDROCK_ENDPOINT when set; else real Bedrock when AWS credentials are in the environment
(${AWS_CREDENTIAL_VARIABLES.join(', ')}) or --bedrock is given; else the emulator.
API keys: FLEET_API_KEYS (tenant:key,...) when set; else a key for tenant "local" and one for the admin
tenant are generated and printed, with the export line to use them.

Exit codes:
  0  stopped by Ctrl-C or SIGTERM, everything it started stopped
  1  a process did not start (the API's port in use, …) or died; the others were stopped
  2  bad usage or configuration (fleet file, FLEET_API_KEYS, no Redis and no redis-server)`,
  );
  command.action(
    cliAction(async (flags: UpFlags) =>
      runFleetUp({
        port: flags.port,
        host: flags.host,
        ...(flags.emulator === true ? { force: 'emulator' as const } : flags.bedrock === true ? { force: 'bedrock' as const } : {}),
        ...(flags.scenario === undefined ? {} : { scenarioFile: flags.scenario }),
        ...(flags.logs === undefined ? {} : { logDir: flags.logs }),
        note: (text) => console.error(text),
        ready: (info) => {
          if (flags.json === true) console.log(JSON.stringify(info));
        },
      }),
    ),
  );
}
