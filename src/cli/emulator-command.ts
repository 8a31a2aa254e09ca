import type { Command } from 'commander';
import { runEmulatorProcess } from '../../workers/emulator.js';
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
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, 4010)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('-s, --scenario <file>', 'scenario file (YAML or JSON): latency, faults, answers, replay')
    .action(async (flags: EmulatorFlags) => {
      const emulator = await runEmulatorProcess({
        port: flags.port,
        host: flags.host,
        ...(flags.scenario === undefined ? {} : { scenarioFile: flags.scenario }),
      });
      console.log(`Converse emulator on ${emulator.url}  (control: ${emulator.url}/__emulator/stats)`);
      console.log(`Point the fleet at it: BEDROCK_ENDPOINT=${emulator.url}`);
    });
}
