import { describe, expect, it } from 'vitest';
import { checkFleetReferences } from '../../../src/config/check-fleet-references.js';
import { fleetSchema } from '../../../src/config/fleet-schema.js';

const MICRO = 'amazon.nova-micro-v1:0';
const PRO = 'amazon.nova-pro-v1:0';

function fleetWith(routing: Record<string, unknown> = {}): unknown {
  return {
    tiers: [
      { name: 'small', models: [{ id: MICRO, price: { inputPer1k: 0.000035, outputPer1k: 0.00014 }, contextWindow: 128000 }] },
      { name: 'large', models: [{ id: PRO, price: { inputPer1k: 0.0008, outputPer1k: 0.0032 }, contextWindow: 300000 }] },
    ],
    routing: { primary: PRO, fallback: MICRO, ...routing },
  };
}

const issues = (raw: unknown) => {
  const parsed = fleetSchema.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('fleet file: router layering, custom and classifier settings', () => {
  it('leaves them unset by default', () => {
    const { routing } = fleetSchema.parse(fleetWith());
    expect(routing.modelRouter).toBeUndefined();
    expect(routing.custom).toBeUndefined();
    expect(routing.classifier).toBeUndefined();
  });

  it('reads a model router under a tier router, and a custom module', () => {
    const { routing } = fleetSchema.parse(fleetWith({ router: 'custom', modelRouter: 'latency', custom: { module: './route.mjs', export: 'pick' } }));
    expect(routing).toMatchObject({ router: 'custom', modelRouter: 'latency', custom: { module: './route.mjs', export: 'pick' } });
    expect(issues(fleetWith({ modelRouter: 'rules' }))).toEqual([expect.objectContaining({ path: 'routing.modelRouter' })]);
  });

  it('reads the classifier with its defaults', () => {
    const { routing } = fleetSchema.parse(fleetWith({ router: 'classifier', classifier: { labels: ['billing', 'coding'], default: 'coding' } }));
    expect(routing.classifier).toEqual({ labels: ['billing', 'coding'], default: 'coding', maxInputChars: 4000, maxTokens: 16 });
  });

  it('refuses a router without the settings it needs, and bad classifier fields', () => {
    expect(issues(fleetWith({ router: 'custom' }))).toEqual([
      { path: 'routing.custom', message: 'the custom router needs "routing.custom: { module: <path>, export?: <name> }"' },
    ]);
    expect(issues(fleetWith({ modelRouter: 'custom' }))).toEqual([expect.objectContaining({ path: 'routing.custom' })]);
    expect(issues(fleetWith({ router: 'classifier' }))).toEqual([
      { path: 'routing.classifier', message: 'the classifier router needs "routing.classifier: { labels: [...] }"' },
    ]);
    expect(issues(fleetWith({ classifier: { labels: [] } }))).toEqual([{ path: 'routing.classifier.labels', message: 'expected at least one label' }]);
    expect(issues(fleetWith({ classifier: { labels: ['a b'] } }))).toEqual([expect.objectContaining({ path: 'routing.classifier.labels.0' })]);
    expect(issues(fleetWith({ classifier: { labels: ['a'], prompt: 'no placeholder' } }))).toEqual([
      { path: 'routing.classifier.prompt', message: 'expected the placeholder {{text}}' },
    ]);
    expect(issues(fleetWith({ custom: { module: '' } }))).toEqual([expect.objectContaining({ path: 'routing.custom.module' })]);
  });

  it('checks that the classifier model is in the cheapest tier and the default is a label', () => {
    const fleet = fleetSchema.parse(fleetWith({ router: 'classifier', classifier: { labels: ['billing'], default: 'other', model: PRO } }));
    expect(checkFleetReferences(fleet)).toEqual([
      {
        path: ['routing', 'classifier', 'model'],
        message: `model "${PRO}" is not in tier "small", the cheapest tier, which classifies; expected one of ${MICRO}`,
      },
      { path: ['routing', 'classifier', 'default'], message: '"other" is not one of the labels; expected one of billing' },
    ]);
    const fine = fleetSchema.parse(fleetWith({ router: 'classifier', classifier: { labels: ['billing'], model: MICRO } }));
    expect(checkFleetReferences(fine)).toEqual([]);
  });
});
