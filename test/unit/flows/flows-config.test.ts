import { describe, expect, it } from 'vitest';
import { checkFleetReferences } from '../../../src/config/check-fleet-references.js';
import { fleetSchema } from '../../../src/config/fleet-schema.js';
import { checkFlowJob } from '../../../src/core/flows/check-flow-job.js';
import { routeFlow } from '../../../src/core/flows/route-flow.js';
import { parseJobSpec } from '../../../src/core/job/parse-job-spec.js';
import { JobSpecError } from '../../../src/core/job/job-spec-error.js';

const MICRO = 'amazon.nova-micro-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const PRO = 'amazon.nova-pro-v1:0';

function fleetWith(flows: unknown, tiers?: unknown): Record<string, unknown> {
  return {
    tiers: tiers ?? [
      { name: 'small', models: [{ id: MICRO, price: { inputPer1k: 0.00004, outputPer1k: 0.00014 }, contextWindow: 128000 }] },
      { name: 'medium', models: [{ id: HAIKU, price: { inputPer1k: 0.00025, outputPer1k: 0.00125 }, contextWindow: 200000 }] },
      { name: 'large', models: [{ id: PRO, price: { inputPer1k: 0.0008, outputPer1k: 0.0032 }, contextWindow: 300000 }] },
    ],
    routing: { primary: PRO, fallback: MICRO },
    ...(flows === undefined ? {} : { flows }),
  };
}

const issues = (raw: unknown) => {
  const parsed = fleetSchema.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

const references = (raw: unknown) => checkFleetReferences(fleetSchema.parse(raw)).map((p) => ({ path: p.path.join('.'), message: p.message }));

const TRIO = { members: [{ model: MICRO }, { tier: 'medium' }, { model: PRO, weight: 2 }], combine: 'vote' };
const CHAIN = {
  steps: [
    { name: 'extract', model: MICRO, template: { prompt: 'Extract: {{input}}' } },
    { name: 'check', tier: 'large', template: { system: 'Be strict.', prompt: 'Check {{input}} against {{document}}' } },
  ],
};

describe('fleet file: flows', () => {
  it('is optional, with no flows, 3 parent attempts and defaults for each flow', () => {
    const fleet = fleetSchema.parse(fleetWith(undefined));
    expect(fleet.flows).toEqual({ ensembles: {}, pipelines: {}, attempts: 3, concurrency: 16 });
    const withFlows = fleetSchema.parse(fleetWith({ ensembles: { trio: TRIO }, pipelines: { chain: CHAIN } }));
    expect(withFlows.flows.ensembles.trio?.onMemberFailure).toBe('fail');
    expect(withFlows.flows.ensembles.trio?.members.map((m) => m.weight)).toEqual([1, 1, 2]);
    expect(withFlows.flows.pipelines.chain?.onStepFailure).toBe('fail');
    expect(references(fleetWith({ ensembles: { trio: TRIO }, pipelines: { chain: CHAIN } }))).toEqual([]);
  });

  it.each([
    [{ ensembles: { e: { members: [], combine: 'vote' } } }, 'flows.ensembles.e.members', 'expected at least one member'],
    [{ ensembles: { e: { members: [{ weight: 1 }], combine: 'vote' } } }, 'flows.ensembles.e.members.0', 'a member names a model, a tier, or both'],
    [{ ensembles: { e: { members: [{ tier: 'small' }], combine: 'median' } } }, 'flows.ensembles.e.combine', ''],
    [{ ensembles: { e: { members: [{ tier: 'small' }], combine: 'custom' } } }, 'flows.ensembles.e.combiner', 'combine "custom" needs "combiner"'],
    [{ ensembles: { e: { members: [{ tier: 'small' }], combine: 'vote', combiner: 'x.mjs' } } }, 'flows.ensembles.e.combiner', 'applies only to combine "custom"'],
    [{ ensembles: { e: { members: [{ tier: 'small' }], combine: 'mean', extractor: { kind: 'choice' } } } }, 'flows.ensembles.e.extractor.kind', 'expected extractor "number" or "regex"'],
    [{ ensembles: { e: { members: [{ tier: 'small' }], combine: 'vote', minMembers: 2 } } }, 'flows.ensembles.e.minMembers', 'minMembers 2 is more than the 1 member'],
    [{ ensembles: { e: { members: [{ tier: 'small' }], combine: 'vote', onMemberFailure: 'retry' } } }, 'flows.ensembles.e.onMemberFailure', ''],
    [{ ensembles: { e: { members: [{ tier: 'small', weight: -1 }], combine: 'weighted-mean' } } }, 'flows.ensembles.e.members.0.weight', ''],
    [{ ensembles: { e: { members: [{ tier: 'small' }], combine: 'vote', extractor: { kind: 'regex', pattern: '(' } } } }, 'flows.ensembles.e.extractor.pattern', 'expected a valid regular expression'],
    [{ pipelines: { p: { steps: [] } } }, 'flows.pipelines.p.steps', 'expected at least one step'],
    [{ pipelines: { p: { steps: [{ name: 'a', tier: 'small', template: { prompt: 'no placeholder' } }] } } }, 'flows.pipelines.p.steps.0.template.prompt', 'expected the placeholder {{input}}'],
    [{ pipelines: { p: { steps: [{ name: 'a', template: { prompt: '{{input}}' } }] } } }, 'flows.pipelines.p.steps.0', 'a step names a model, a tier, or both'],
    [
      { pipelines: { p: { steps: [{ name: 'a', tier: 'small', template: { prompt: '{{input}}' } }, { name: 'a', tier: 'large', template: { prompt: '{{input}}' } }] } } },
      'flows.pipelines.p.steps.1.name',
      'step name "a" is used twice',
    ],
    [{ pipelines: { p: { steps: [{ name: 'a', tier: 'small', template: { prompt: '{{input}}' } }], onStepFailure: 'ignore' } } }, 'flows.pipelines.p.onStepFailure', ''],
    [{ ensembles: { 'bad name!': TRIO } }, 'flows.ensembles.bad name!', 'expected 1-64 letters'],
  ])('refuses %j at %s', (flows, path, message) => {
    const found = issues(fleetWith(flows));
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)?.message).toContain(message);
  });

  it('checks that members, steps and fallbacks name tiers and models of the fleet', () => {
    const found = references(
      fleetWith({
        ensembles: {
          e: { members: [{ model: 'vendor.nope-v1:0' }, { tier: 'huge' }, { tier: 'small', model: PRO }], combine: 'vote', onMemberFailure: { fallback: 'vendor.gone-v1:0' } },
        },
        pipelines: { p: { steps: [{ name: 'a', model: 'vendor.nope-v1:0', template: { prompt: '{{input}}' } }], onStepFailure: { fallback: HAIKU } } },
      }),
    );
    expect(found).toEqual([
      { path: 'flows.ensembles.e.members.0.model', message: 'model "vendor.nope-v1:0" is not in any tier' },
      { path: 'flows.ensembles.e.members.1.tier', message: 'no tier is named "huge"; expected one of small, medium, large' },
      { path: 'flows.ensembles.e.members.2.model', message: `model "${PRO}" is not in tier "small"` },
      { path: 'flows.ensembles.e.onMemberFailure.fallback', message: 'model "vendor.gone-v1:0" is not in any tier' },
      { path: 'flows.pipelines.p.steps.0.model', message: 'model "vendor.nope-v1:0" is not in any tier' },
    ]);
  });

  it('reserves the tier name "flows", and refuses a name used by an ensemble and a pipeline', () => {
    const tiers = [{ name: 'flows', models: [{ id: PRO, price: { inputPer1k: 0, outputPer1k: 0 }, contextWindow: 1000 }] }];
    const raw = fleetWith({ ensembles: { x: { members: [{ model: PRO }], combine: 'vote' } }, pipelines: { x: { steps: [{ name: 'a', model: PRO, template: { prompt: '{{input}}' } }] } } }, tiers);
    (raw.routing as Record<string, string>).fallback = PRO;
    expect(references(raw)).toEqual([
      { path: 'tiers.0.name', message: 'the tier name "flows" is reserved for the flows queue; pick another name' },
      { path: 'flows.pipelines.x', message: '"x" names both an ensemble and a pipeline; expected unique flow names' },
    ]);
  });
});

describe('flow jobs', () => {
  const fleet = fleetSchema.parse(fleetWith({ ensembles: { trio: TRIO }, pipelines: { chain: CHAIN } }));
  const problems = (raw: unknown) => {
    try {
      parseJobSpec(raw, fleet);
      return [];
    } catch (error) {
      if (error instanceof JobSpecError) return error.problems;
      throw error;
    }
  };

  it('accepts an ensemble or pipeline job naming its flow', () => {
    expect(problems({ strategy: 'ensemble', flow: 'trio', prompt: 'q' })).toEqual([]);
    expect(problems({ strategy: 'pipeline', flow: 'chain', document: 'd', task: 'no-such-template' })).toEqual([]);
  });

  it('names the field of every flow problem', () => {
    expect(problems({ strategy: 'ensemble', prompt: 'q' })).toEqual([{ field: 'flow', message: 'an ensemble job names its flow; expected one of trio' }]);
    expect(problems({ strategy: 'ensemble', flow: 'nope', prompt: 'q' })).toEqual([{ field: 'flow', message: 'no ensemble is named "nope"; expected one of trio' }]);
    expect(problems({ strategy: 'ensemble', flow: 'chain', prompt: 'q' })).toEqual([
      { field: 'flow', message: '"chain" is a pipeline, not an ensemble; use strategy "pipeline"' },
    ]);
    expect(problems({ strategy: 'route', flow: 'trio', prompt: 'q' })).toEqual([{ field: 'flow', message: 'a flow applies only to strategy "ensemble" or "pipeline", not "route"' }]);
    expect(problems({ strategy: 'ensemble', flow: 'trio', tier: 'small', prompt: 'q' }).map((p) => p.field)).toEqual(['tier']);
    expect(problems({ strategy: 'pipeline', flow: 'chain', messages: [{ role: 'user', content: [{ text: 'q' }] }] })).toEqual([
      { field: 'messages', message: 'a pipeline takes a "document" or a "prompt", not "messages"' },
    ]);
    expect(problems({ strategy: 'pipeline', flow: 'chain', document: 'd', template: 'qa' }).map((p) => p.field)).toEqual(['template']);
    expect(checkFlowJob({ strategy: 'pipeline', flow: 'x' }, undefined)).toEqual([
      { field: 'flow', message: 'no pipeline is named "x"; the fleet file defines no pipelines (flows.pipelines)' },
    ]);
  });

  it('route to the flows queue with a reason naming the flow, its members or steps, and the policy', () => {
    expect(routeFlow({ strategy: 'ensemble', flow: 'trio' }, fleet)).toEqual({
      tier: 'flows',
      path: ['small', 'medium', 'large'],
      reason: `ensemble "trio": 3 members (small/${MICRO}, tier medium, large/${PRO}) combined by vote; a failed member: fail`,
    });
    expect(routeFlow({ strategy: 'pipeline', flow: 'chain' }, fleet)).toEqual({
      tier: 'flows',
      path: ['small', 'large'],
      reason: `pipeline "chain": 2 steps (extract on small/${MICRO} → check on tier large); a failed step: fail`,
    });
  });
});
