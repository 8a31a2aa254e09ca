import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { loadSettings } from '../../src/config/load-settings.js';
import type { FleetConfig } from '../../src/config/fleet-schema.js';
import { createBedrockClient, EMULATOR_CREDENTIALS } from '../../src/converse/create-bedrock-client.js';
import { createBedrockModelClient } from '../../src/converse/bedrock-model-client.js';
import type { ModelClient } from '../../src/core/model-client.js';
import { priceTable } from '../../src/core/price-table.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/start-emulator.js';

export type Transport = 'http2' | 'http1';

/** The SDK's default (HTTP/2) and the HTTP/1.1 handler: every wire test runs on both. */
export const TRANSPORTS: Transport[] = ['http2', 'http1'];

export const defaultFleet = (): FleetConfig => loadSettings({ env: {} }).fleet;

export interface Harness {
  emulator: Emulator;
  sdk: BedrockRuntimeClient;
  models: ModelClient;
  fleet: FleetConfig;
  close(): Promise<void>;
}

/** A private emulator and a real SDK client pointed at it; close both after the test. */
export async function startHarness(transport: Transport, options: EmulatorOptions = {}): Promise<Harness> {
  const fleet = options.fleet ?? defaultFleet();
  const emulator = await startEmulator({ fleet, ...options });
  const sdk = createBedrockClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: EMULATOR_CREDENTIALS,
    transport,
  });
  const models = createBedrockModelClient({
    client: sdk,
    priceOf: priceTable(fleet.tiers.flatMap((t) => t.models)),
  });
  return {
    emulator,
    sdk,
    models,
    fleet,
    close: async () => {
      sdk.destroy();
      await emulator.close();
    },
  };
}

export const userText = (text: string) => [{ role: 'user' as const, content: [{ text }] }];
