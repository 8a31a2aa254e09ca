import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface BedrockClientOptions {
  region: string;
  /** Another endpoint than Bedrock's own, e.g. the emulator's URL. */
  endpoint?: string;
  /**
   * `http2` (the SDK's default) or `http1` (NodeHttpHandler with keep-alive),
   * for networks or proxies that do not speak HTTP/2.
   */
  transport?: 'http2' | 'http1';
  /** Sockets per origin for `http1`. */
  maxSockets?: number;
  /** Omit to use the SDK's default credential chain. */
  credentials?: AwsCredentialIdentity;
}

/** Credentials for talking to the emulator, which checks only their form. */
export const EMULATOR_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIAEMULATOR',
  secretAccessKey: 'emulator-secret',
};

/**
 * The one place a Bedrock client is built. `maxAttempts: 1`: the fleet, not
 * the SDK, retries. The fleet's retry must see every failed call to feed the
 * circuit breaker, move a throttled request to the tier's next model at once,
 * and spend BullMQ attempts knowingly; SDK retries underneath would multiply
 * with those (3 SDK tries x 2 per model x 3 job attempts) and hide throttling.
 */
export function createBedrockClient(options: BedrockClientOptions): BedrockRuntimeClient {
  const http1 =
    options.transport === 'http1'
      ? new NodeHttpHandler({
          httpAgent: new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
          httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
        })
      : undefined;
  return new BedrockRuntimeClient({
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(http1 === undefined ? {} : { requestHandler: http1 }),
  });
}
