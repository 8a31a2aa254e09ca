import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cli-error.js';
import { metricsPorts } from '../../../src/cli/metrics-ports.js';

describe('metrics ports of fleet up', () => {
  it('give the API FLEET_METRICS_PORT and each tier’s worker the ports after it, in tier order', () => {
    const ports = metricsPorts({ FLEET_METRICS_PORT: '9464' }, ['small', 'medium', 'large']);
    expect(ports?.api).toBe(9464);
    expect([...(ports?.workers ?? [])]).toEqual([['small', 9465], ['medium', 9466], ['large', 9467]]);
  });

  it('are none without FLEET_METRICS_PORT', () => {
    expect(metricsPorts({}, ['small'])).toBeUndefined();
    expect(metricsPorts({ FLEET_METRICS_PORT: '' }, ['small'])).toBeUndefined();
  });

  it('refuse a port that leaves no room for every process, saying which ports would do', () => {
    expect(() => metricsPorts({ FLEET_METRICS_PORT: '65534' }, ['small', 'medium'])).toThrow(CliError);
    expect(() => metricsPorts({ FLEET_METRICS_PORT: '65534' }, ['small', 'medium'])).toThrow('set a port from 1 to 65533');
    expect(() => metricsPorts({ FLEET_METRICS_PORT: 'x' }, ['small'])).toThrow('FLEET_METRICS_PORT "x"');
  });
});
