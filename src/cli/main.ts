import { Command } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { RedisUnavailableError } from './resolve-redis.js';
import { CliError } from './cli-error.js';
import { registerApiCommand } from './api-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerEmulatorCommand } from './emulator-command.js';
import { registerWorkerCommand } from './worker-command.js';
import { registerEnqueueCommand } from './enqueue-command.js';
import { registerExperimentsCommand } from './experiments-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerResultsCommand } from './results-command.js';
import { registerUpCommand } from './up-command.js';

/** Exit codes: 0 done, 1 failed, 2 bad usage or configuration. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('fleet')
    .description('the converse fleet: queue-driven LLM work across Bedrock model tiers')
    .showHelpAfterError()
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  registerEmulatorCommand(program);
  registerWorkerCommand(program);
  registerDemoCommand(program);
  registerApiCommand(program);
  registerUpCommand(program);
  registerEnqueueCommand(program);
  registerStatusCommand(program);
  registerResultsCommand(program);
  registerExperimentsCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commands that do not wrap their action in cliAction (worker, demo) throw their one-line errors up to here.
    if (error instanceof CliError) {
      console.error(`fleet: ${error.message}`);
      process.exit(error.exitCode);
    }
    if (error instanceof ConfigError || error instanceof RedisUnavailableError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(`fleet: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
