import type { Command } from 'commander';
import { loadSettings } from '../config/load-settings.js';
import { loadScenario, type LoadedScenario } from '../emulator/load-scenario.js';
import { startEmulator } from '../emulator/start-emulator.js';
import { createLogger } from '../telemetry/create-logger.js';
import { parsePort } from './parse-port.js';

interface EmulatorFlags {
  port: number;
  host: string;
  scenario?: string;
}

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('run the Converse-compatible emulator (HTTP/1.1 and h2c on one port)')
    .option('-p, --port <port>', 'port to listen on', parsePort, 4010)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('-s, --scenario <file>', 'scenario file (YAML or JSON): latency, faults, answers, replay')
    .action(async (flags: EmulatorFlags) => {
      const settings = loadSettings();
      const logger = createLogger({ level: settings.logLevel, name: 'emulator' });
      let loaded: LoadedScenario | undefined;
      if (flags.scenario !== undefined) {
        loaded = await loadScenario(flags.scenario);
        if (loaded.skipped.length > 0) {
          logger.warn({ skipped: loaded.skipped.length }, 'replay rows or answers skipped (empty or malformed cells)');
        }
      }
      const emulator = await startEmulator({
        fleet: settings.fleet,
        port: flags.port,
        host: flags.host,
        logger,
        ...(loaded === undefined ? {} : { scenario: loaded.scenario, replay: loaded.replay }),
      });
      console.log(`Converse emulator on ${emulator.url}  (control: ${emulator.url}/__emulator/stats)`);
      console.log(`Point the fleet at it: BEDROCK_ENDPOINT=${emulator.url}`);
      const stop = (): void => {
        emulator.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
