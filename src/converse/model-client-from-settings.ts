import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { FleetConfig } from '../config/fleet-schema.js';
import type { ModelClient } from '../core/model-client.js';
import { priceTable } from '../core/price-table.js';
import { hasAwsCredentials } from './aws-credentials-in-env.js';
import { createBedrockModelClient } from './bedrock-model-client.js';
import { createBedrockClient, EMULATOR_CREDENTIALS } from './create-bedrock-client.js';

export interface ModelClientSettings {
  fleet: FleetConfig;
  region: string;
  bedrockEndpoint: string | undefined;
  /** The process environment, to tell whether real credentials are configured. */
  env: Record<string, string | undefined>;
}

/**
 * The fleet's ModelClient on the real SDK. With a custom endpoint and no AWS
 * credentials in the environment it signs with the emulator's credentials;
 * otherwise the SDK's default credential chain applies.
 */
export function modelClientFromSettings(settings: ModelClientSettings): {
  client: ModelClient;
  sdk: BedrockRuntimeClient;
  /** Signed with credentials from the SDK's default chain (not the emulator's, not a Bedrock API key): worth checking at start. */
  signsWithDefaultChain: boolean;
} {
  const hasCredentials = hasAwsCredentials(settings.env);
  const sdk = createBedrockClient({
    region: settings.region,
    ...(settings.bedrockEndpoint === undefined ? {} : { endpoint: settings.bedrockEndpoint }),
    ...(settings.bedrockEndpoint !== undefined && !hasCredentials ? { credentials: EMULATOR_CREDENTIALS } : {}),
  });
  const client = createBedrockModelClient({
    client: sdk,
    priceOf: priceTable(settings.fleet.tiers.flatMap((t) => t.models)),
  });
  const emulatorSigned = settings.bedrockEndpoint !== undefined && !hasCredentials;
  const apiKey = (settings.env.AWS_BEARER_TOKEN_BEDROCK ?? '') !== '';
  return { client, sdk, signsWithDefaultChain: !emulatorSigned && !apiKey };
}
