import { describe, expect, it } from 'vitest';
import { chooseBedrockTarget } from '../../../src/cli/bedrock-target.js';
import { hasAwsCredentials } from '../../../src/converse/aws-credentials-in-env.js';
import { CliError } from '../../../src/cli/cli-error.js';
import { chooseTarget } from '../../../src/cli/fleet-target.js';
import { formatApiKeys, generateLocalApiKeys } from '../../../src/cli/local-api-keys.js';
import { parseApiKeys } from '../../../src/api/auth/api-key-table.js';

describe('chooseTarget (API or Redis)', () => {
  const key = 'local-0123456789abcdef';

  it('prefers --api, then FLEET_API_URL, else Redis', () => {
    expect(chooseTarget({ api: 'http://a:1' }, { FLEET_API_URL: 'http://b:2', FLEET_API_KEY: key })).toEqual({ kind: 'api', url: 'http://a:1', key });
    expect(chooseTarget({}, { FLEET_API_URL: 'http://b:2', FLEET_API_KEY: key })).toEqual({ kind: 'api', url: 'http://b:2', key });
    expect(chooseTarget({}, { FLEET_API_KEY: key })).toEqual({ kind: 'redis' });
    expect(chooseTarget({}, { FLEET_API_URL: '' })).toEqual({ kind: 'redis' });
  });

  it('goes to Redis with --no-api whatever FLEET_API_URL says', () => {
    expect(chooseTarget({ api: false }, { FLEET_API_URL: 'http://b:2', FLEET_API_KEY: key })).toEqual({ kind: 'redis' });
  });

  it('is a usage error (exit 2) to name an API without FLEET_API_KEY', () => {
    const attempt = (): unknown => chooseTarget({ api: 'http://a:1' }, {});
    expect(attempt).toThrow(CliError);
    expect(attempt).toThrow(/no API key for http:\/\/a:1: set FLEET_API_KEY/);
    try {
      attempt();
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
    }
  });
});

describe('chooseBedrockTarget (fleet up)', () => {
  it('uses BEDROCK_ENDPOINT when set', () => {
    expect(chooseBedrockTarget({ BEDROCK_ENDPOINT: 'http://e:4010', AWS_PROFILE: 'p' })).toEqual({ kind: 'endpoint', url: 'http://e:4010' });
  });

  it('uses real Bedrock when AWS credentials are in the environment', () => {
    const names = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_BEARER_TOKEN_BEDROCK', 'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];
    for (const name of names) {
      expect(hasAwsCredentials({ [name]: 'x' })).toBe(true);
      expect(chooseBedrockTarget({ [name]: 'x' })).toEqual({ kind: 'aws' });
    }
  });

  it('starts the emulator otherwise, or when forced', () => {
    expect(chooseBedrockTarget({})).toEqual({ kind: 'emulator' });
    expect(chooseBedrockTarget({ AWS_PROFILE: '', BEDROCK_ENDPOINT: '' })).toEqual({ kind: 'emulator' });
    expect(chooseBedrockTarget({ AWS_PROFILE: 'p', BEDROCK_ENDPOINT: 'http://e:1' }, 'emulator')).toEqual({ kind: 'emulator' });
  });

  it('uses real Bedrock with --bedrock when no credentials are in the environment (an instance role, ~/.aws); BEDROCK_ENDPOINT still wins', () => {
    expect(hasAwsCredentials({ AWS_REGION: 'us-east-1' })).toBe(false);
    expect(chooseBedrockTarget({ AWS_REGION: 'us-east-1' }, 'bedrock')).toEqual({ kind: 'aws' });
    expect(chooseBedrockTarget({ BEDROCK_ENDPOINT: 'http://e:1' }, 'bedrock')).toEqual({ kind: 'endpoint', url: 'http://e:1' });
  });
});

describe('generateLocalApiKeys', () => {
  it('makes a key for tenant local and one for the admin tenant that FLEET_API_KEYS accepts', () => {
    const keys = generateLocalApiKeys('ops');
    expect(keys.map((k) => k.tenant)).toEqual(['local', 'ops']);
    expect(keys[0]?.key).not.toBe(keys[1]?.key);
    expect(parseApiKeys(formatApiKeys(keys), 'test')).toEqual(keys);
  });
});
