/** What `fleet up` points its workers at. */
export type BedrockTarget =
  /** Start the emulator and point the workers at it. */
  | { kind: 'emulator' }
  /** BEDROCK_ENDPOINT is set: use it as it is (an emulator or proxy already running). */
  | { kind: 'endpoint'; url: string }
  /** Real Bedrock, with the AWS credentials of the environment. */
  | { kind: 'aws' };

const set = (env: Record<string, string | undefined>, name: string): boolean => (env[name] ?? '') !== '';

/** AWS credentials the fleet's client would use: keys, a profile, or a Bedrock API key. */
export function hasAwsCredentials(env: Record<string, string | undefined>): boolean {
  return set(env, 'AWS_ACCESS_KEY_ID') || set(env, 'AWS_PROFILE') || set(env, 'AWS_BEARER_TOKEN_BEDROCK');
}

/**
 * `BEDROCK_ENDPOINT` wins; else real Bedrock when AWS credentials are in the
 * environment; else the emulator. `forceEmulator` starts the emulator whatever
 * the environment says.
 */
export function chooseBedrockTarget(env: Record<string, string | undefined>, forceEmulator = false): BedrockTarget {
  if (forceEmulator) return { kind: 'emulator' };
  const endpoint = env.BEDROCK_ENDPOINT ?? '';
  if (endpoint !== '') return { kind: 'endpoint', url: endpoint };
  return hasAwsCredentials(env) ? { kind: 'aws' } : { kind: 'emulator' };
}
