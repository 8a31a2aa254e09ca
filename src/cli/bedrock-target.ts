import { hasAwsCredentials } from '../converse/aws-credentials-in-env.js';

/** What `fleet up` points its workers at. */
export type BedrockTarget =
  /** Start the emulator and point the workers at it. */
  | { kind: 'emulator' }
  /** BEDROCK_ENDPOINT is set: use it as it is (an emulator or proxy already running). */
  | { kind: 'endpoint'; url: string }
  /** Real Bedrock, with the AWS credentials of the environment. */
  | { kind: 'aws' };

/**
 * `force: 'emulator'` starts the emulator whatever the environment says.
 * Else `BEDROCK_ENDPOINT` wins; else real Bedrock when AWS credentials are in
 * the environment (aws-credentials-in-env.ts) or `force: 'bedrock'` asks for
 * it (an EC2 instance role, the default profile of `~/.aws`: the SDK's
 * default chain finds them); else the emulator.
 */
export function chooseBedrockTarget(env: Record<string, string | undefined>, force?: 'emulator' | 'bedrock'): BedrockTarget {
  if (force === 'emulator') return { kind: 'emulator' };
  const endpoint = env.BEDROCK_ENDPOINT ?? '';
  if (endpoint !== '') return { kind: 'endpoint', url: endpoint };
  return force === 'bedrock' || hasAwsCredentials(env) ? { kind: 'aws' } : { kind: 'emulator' };
}
