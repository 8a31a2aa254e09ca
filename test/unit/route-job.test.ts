import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load-settings.js';
import type { FleetShape } from '../../src/core/fleet-shape.js';
import type { JobSpecInput } from '../../src/core/job/job-spec.js';
import { parseJobSpec } from '../../src/core/job/parse-job-spec.js';
import { routeJob } from '../../src/core/routing/route-job.js';

const fleet: FleetShape = loadSettings({ env: {} }).fleet;

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA_LITE = 'amazon.nova-lite-v1:0';

/** Routes a job given as a producer writes it, after validating it against the same fleet. */
const route = (job: Omit<JobSpecInput, 'prompt'>, against: FleetShape = fleet) =>
  routeJob(parseJobSpec({ prompt: 'What is 2 + 2?', ...job }, against), against);

describe('routeJob: cascades', () => {
  it('starts at the lowest tier and may climb every tier in order', () => {
    const decision = route({ strategy: 'cascade' });
    expect(decision).toMatchObject({ tier: 'small', path: ['small', 'medium', 'large'] });
    expect(decision.model).toBeUndefined();
    expect(decision.reason).toContain('small → medium → large');
  });

  it('starts at the tier the job asks for and climbs from there', () => {
    expect(route({ strategy: 'cascade', tier: 'medium' })).toMatchObject({ tier: 'medium', path: ['medium', 'large'] });
  });

  it('follows the configured cascade path', () => {
    const skipping: FleetShape = { ...fleet, cascade: { ...fleet.cascade, path: ['small', 'large'] } };
    const decision = route({ strategy: 'cascade' }, skipping);
    expect(decision).toMatchObject({ tier: 'small', path: ['small', 'large'] });
    expect(decision.reason).toContain('small → large');
  });

  it('climbs from a tier outside the configured path to the path tiers above it', () => {
    const skipping: FleetShape = { ...fleet, cascade: { ...fleet.cascade, path: ['small', 'large'] } };
    expect(route({ strategy: 'cascade', tier: 'medium' }, skipping)).toMatchObject({ tier: 'medium', path: ['medium', 'large'] });
  });

  it('climbs from the tier of the model the job asks for', () => {
    expect(route({ strategy: 'cascade', model: HAIKU })).toMatchObject({
      tier: 'medium',
      model: HAIKU,
      path: ['medium', 'large'],
    });
  });
});

describe('routeJob: the routing table', () => {
  it('sends a listed task to its target, on that model\'s tier', () => {
    const decision = route({ task: 'summarization' });
    expect(fleet.routing.tasks['summarization']).toBe('fallback');
    expect(decision).toEqual({
      tier: 'medium',
      model: fleet.routing.fallback,
      path: ['medium'],
      reason: expect.stringContaining('task "summarization" routes to fallback') as string,
    });
  });

  it('sends an unlisted task to the default route and says so', () => {
    const decision = route({ task: 'poetry' });
    expect(decision).toMatchObject({ tier: 'large', model: fleet.routing.primary, path: ['large'] });
    expect(decision.reason).toContain('task "poetry" is not in the routing table, so the default');
  });

  it('sends the default task "general" to the default route', () => {
    expect(route({})).toMatchObject({ tier: 'large', model: SONNET, path: ['large'] });
  });

  it('routes to a model id named in the table', () => {
    const direct: FleetShape = { ...fleet, routing: { ...fleet.routing, tasks: { poetry: NOVA_LITE } } };
    const decision = route({ task: 'poetry' }, direct);
    expect(decision).toMatchObject({ tier: 'medium', model: NOVA_LITE, path: ['medium'] });
    expect(decision.reason).toBe(`task "poetry" routes to ${NOVA_LITE} on tier medium`);
  });
});

describe('routeJob: what the job asks for', () => {
  it('lets an explicit model win over the routing table', () => {
    const decision = route({ task: 'summarization', model: NOVA_LITE });
    expect(decision).toEqual({
      tier: 'medium',
      model: NOVA_LITE,
      path: ['medium'],
      reason: expect.stringContaining(`model ${NOVA_LITE}`) as string,
    });
  });

  it('lets an explicit tier win over the routing table, without choosing a model', () => {
    const decision = route({ task: 'summarization', tier: 'small' });
    expect(decision).toMatchObject({ tier: 'small', path: ['small'] });
    expect(decision.model).toBeUndefined();
    expect(decision.reason).toContain('tier small');
  });
});
