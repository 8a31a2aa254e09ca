import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apiEnvSchema } from '../../src/config/api-settings.js';
import { envSchema } from '../../src/config/env-schema.js';

interface Service {
  environment?: Record<string, unknown>;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const fleetVariables = Object.keys(envSchema.shape);
/** A file of keys is mounted by whoever uses it; compose passes the keys themselves. */
const apiVariables = Object.keys(apiEnvSchema.shape).filter((name) => name !== 'FLEET_API_KEYS_FILE');

describe('docker-compose.yml', () => {
  it('passes every variable the fleet reads to every worker service', () => {
    const workers = Object.entries(compose.services).filter(([name]) => name.startsWith('worker-'));
    expect(workers.map(([name]) => name)).toEqual(['worker-small', 'worker-medium', 'worker-large']);
    for (const [, service] of workers) expect(Object.keys(service.environment ?? {})).toEqual(expect.arrayContaining(fleetVariables));
  });

  it('passes the API every variable the fleet reads and every API setting', () => {
    const api = Object.keys(compose.services.api?.environment ?? {});
    expect(api).toEqual(expect.arrayContaining([...fleetVariables, ...apiVariables]));
  });
});
