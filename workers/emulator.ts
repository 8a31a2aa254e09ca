/**
 * Entry point of the emulator process: load configuration and scenario,
 * start the server, stop cleanly on SIGINT/SIGTERM.
 */
import { loadSettings } from '../src/config/load-settings.js';
import { loadScenario, type LoadedScenario } from '../src/emulator/load-scenario.js';
import { startEmulator, type Emulator } from '../src/emulator/start-emulator.js';
import { createLogger } from '../src/telemetry/create-logger.js';

export interface EmulatorProcessOptions {
  port: number;
  host: string;
  scenarioFile?: string;
}

export async function runEmulatorProcess(options: EmulatorProcessOptions): Promise<Emulator> {
  const settings = loadSettings();
  const logger = createLogger({ level: settings.logLevel, name: 'emulator' });
  let loaded: LoadedScenario | undefined;
  if (options.scenarioFile !== undefined) {
    loaded = await loadScenario(options.scenarioFile);
    if (loaded.skipped.length > 0) {
      logger.warn({ skipped: loaded.skipped.length }, 'replay rows or answers skipped (empty or malformed cells)');
    }
  }
  const emulator = await startEmulator({
    fleet: settings.fleet,
    port: options.port,
    host: options.host,
    logger,
    ...(loaded === undefined ? {} : { scenario: loaded.scenario, replay: loaded.replay }),
  });
  const stop = (signal: string): void => {
    logger.info({ signal }, 'emulator stopping');
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'emulator did not close cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return emulator;
}
