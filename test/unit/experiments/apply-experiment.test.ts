import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load-settings.js';
import { experimentsSchema } from '../../../src/config/experiments-schema.js';
import { checkExperimentReferences } from '../../../src/config/check-experiment-references.js';
import { applyExperiment, experimentMatches, experimentReason } from '../../../src/core/experiments/apply-experiment.js';
import { parseJobSpec } from '../../../src/core/job/parse-job-spec.js';
import { routeJob } from '../../../src/core/routing/route-job.js';

const base = loadSettings({ env: {} }).fleet;
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

const experiments = experimentsSchema.parse([
  {
    name: 'cascade-vs-large',
    when: { task: ['qa', 'general'] },
    sticky: 'tenant',
    variants: [
      { name: 'cascade', weight: 1, set: { strategy: 'cascade' } },
      { name: 'large', weight: 1, set: { tier: 'large', model: SONNET } },
    ],
  },
]);
const fleet = { ...base, experiments };

/** Parses a job as the producer does, then applies the experiments. */
function apply(raw: Record<string, unknown>, id = 'job-1') {
  const spec = parseJobSpec(raw, fleet);
  return applyExperiment({ raw, spec, id }, experiments, fleet);
}

/** A tenant the experiment puts on `variant`. */
function tenantOn(variant: string): string {
  for (let i = 0; i < 100; i += 1) if (apply({ prompt: 'hi', tenant: `t${i}` }).experiment?.variant === variant) return `t${i}`;
  throw new Error(`no tenant lands on ${variant}`);
}

describe('applyExperiment', () => {
  it("applies the variant's fields the job did not set, and names the experiment", () => {
    const applied = apply({ prompt: 'hi', tenant: tenantOn('large') });
    expect(applied.experiment).toEqual({ name: 'cascade-vs-large', variant: 'large', applied: ['tier', 'model'] });
    expect(applied.spec).toMatchObject({ tier: 'large', model: SONNET, id: 'job-1' });
    const cascade = apply({ prompt: 'hi', tenant: tenantOn('cascade') });
    expect(cascade.spec.strategy).toBe('cascade');
    expect(routeJob(cascade.spec, fleet).tier).toBe('small');
  });

  it('is sticky per tenant: every job of a tenant gets the same variant', () => {
    const tenant = tenantOn('large');
    for (let i = 0; i < 20; i += 1) expect(apply({ prompt: `q${i}`, tenant }, `job-${i}`).experiment?.variant).toBe('large');
  });

  it('lets explicit job fields win: a job that set a field some variant sets takes no part', () => {
    // "strategy" is set by the cascade variant only; the job is left out whichever variant its tenant has.
    for (const variant of ['cascade', 'large']) {
      const applied = apply({ prompt: 'hi', tenant: tenantOn(variant), strategy: 'route' });
      expect(applied.experiment).toBeUndefined();
      expect(applied.spec.strategy).toBe('route');
      expect(applied.spec.tier).toBeUndefined();
    }
  });

  it('treats tier and model as one choice: a job that chose either keeps its placement and takes no part', () => {
    const byTier = apply({ prompt: 'hi', tenant: tenantOn('large'), tier: 'medium' });
    expect(byTier.experiment).toBeUndefined();
    expect(byTier.spec).toMatchObject({ tier: 'medium', strategy: 'route' });
    expect(byTier.spec.model).toBeUndefined();
    const byModel = apply({ prompt: 'hi', tenant: tenantOn('cascade'), model: 'amazon.nova-lite-v1:0' });
    expect(byModel.experiment).toBeUndefined();
    expect(byModel.spec.strategy).toBe('route');
  });

  it('keeps a job that set only fields no variant sets', () => {
    const applied = apply({ prompt: 'hi', tenant: tenantOn('cascade'), system: 'Be brief.', inference: { maxTokens: 50 } });
    expect(applied.experiment?.variant).toBe('cascade');
    expect(applied.spec).toMatchObject({ strategy: 'cascade', system: 'Be brief.', inference: { maxTokens: 50 } });
  });

  it('labels a job of a variant that sets nothing (a control group)', () => {
    const control = experimentsSchema.parse([{ name: 'c', sticky: 'job', variants: [{ name: 'control', weight: 1 }] }]);
    const applied = applyExperiment({ raw: { prompt: 'hi' }, spec: parseJobSpec({ prompt: 'hi' }, fleet), id: 'j' }, control, fleet);
    expect(applied.experiment).toEqual({ name: 'c', variant: 'control', applied: [] });
    expect(experimentReason('routed', applied.experiment)).toBe('routed (experiment "c", variant "control", which changes nothing)');
  });

  it('leaves jobs the experiment does not take alone', () => {
    const applied = apply({ prompt: 'hi', task: 'summarize', tenant: tenantOn('large') });
    expect(applied.experiment).toBeUndefined();
    expect(applied.spec.tier).toBeUndefined();
  });

  it('skips an inactive experiment', () => {
    const inactive = experiments.map((e) => ({ ...e, active: false }));
    const spec = parseJobSpec({ prompt: 'hi' }, fleet);
    expect(applyExperiment({ raw: { prompt: 'hi' }, spec, id: 'j' }, inactive, fleet).experiment).toBeUndefined();
  });

  it('applies a template only to a document job', () => {
    const withTemplate = experimentsSchema.parse([
      { name: 't', sticky: 'job', variants: [{ name: 'only', weight: 1, set: { template: 'summarization' } }] },
    ]);
    const onPrompt = applyExperiment({ raw: { prompt: 'hi' }, spec: parseJobSpec({ prompt: 'hi' }, fleet), id: 'j' }, withTemplate, fleet);
    expect(onPrompt.spec.template).toBeUndefined();
    const raw = { document: 'a long text', task: 'general' };
    const onDocument = applyExperiment({ raw, spec: parseJobSpec(raw, fleet), id: 'j' }, withTemplate, fleet);
    expect(onDocument.spec.template).toBe('summarization');
    expect(onDocument.experiment?.applied).toEqual(['template']);
  });

  it('takes no part when the sticky metadata key is missing', () => {
    const byUser = experimentsSchema.parse([
      { name: 'u', sticky: { metadata: 'user' }, variants: [{ name: 'only', weight: 1, set: { tier: 'large' } }] },
    ]);
    const without = applyExperiment({ raw: { prompt: 'hi' }, spec: parseJobSpec({ prompt: 'hi' }, fleet), id: 'j' }, byUser, fleet);
    expect(without.experiment).toBeUndefined();
    const raw = { prompt: 'hi', metadata: { user: 'u1' } };
    expect(applyExperiment({ raw, spec: parseJobSpec(raw, fleet), id: 'j' }, byUser, fleet).experiment?.variant).toBe('only');
  });

  it('says in the route reason which experiment and variant shaped the job', () => {
    const applied = apply({ prompt: 'hi', tenant: tenantOn('large') });
    const reason = experimentReason(routeJob(applied.spec, fleet).reason, applied.experiment);
    expect(reason).toContain('experiment "cascade-vs-large", variant "large", which set tier, model');
    expect(experimentReason('routed', undefined)).toBe('routed');
  });
});

describe('experimentMatches', () => {
  const experiment = { ...experiments[0]!, when: { task: 'qa', tags: { team: 'search' } } };
  it('needs every condition: the task and each tag', () => {
    expect(experimentMatches(experiment, { task: 'qa', tags: { team: 'search', x: 'y' } })).toBe(true);
    expect(experimentMatches(experiment, { task: 'qa', tags: {} })).toBe(false);
    expect(experimentMatches(experiment, { task: 'general', tags: { team: 'search' } })).toBe(false);
  });
});

describe('experiments in the fleet file', () => {
  it('refuses duplicate names, duplicate variants and no weight at all', () => {
    const twice = { name: 'e', variants: [{ name: 'a', weight: 1 }] };
    expect(experimentsSchema.safeParse([twice, twice]).success).toBe(false);
    expect(experimentsSchema.safeParse([{ name: 'e', variants: [{ name: 'a', weight: 1 }, { name: 'a', weight: 1 }] }]).success).toBe(false);
    expect(experimentsSchema.safeParse([{ name: 'e', variants: [{ name: 'a', weight: 0 }] }]).success).toBe(false);
    expect(experimentsSchema.safeParse([{ name: 'e', variants: [{ name: 'a', weight: -1 }] }]).success).toBe(false);
    // A flow strategy needs its flow, which a variant does not set.
    expect(experimentsSchema.safeParse([{ name: 'e', variants: [{ name: 'a', weight: 1, set: { strategy: 'ensemble' } }] }]).success).toBe(false);
  });

  it('checks that the tiers, models and templates variants name exist', () => {
    const bad = experimentsSchema.parse([
      {
        name: 'e',
        variants: [
          { name: 'a', weight: 1, set: { tier: 'huge' } },
          { name: 'b', weight: 1, set: { model: 'amazon.nope-v1:0' } },
          { name: 'c', weight: 1, set: { tier: 'small', model: SONNET } },
          { name: 'd', weight: 1, set: { template: 'nope' } },
          { name: 'ok', weight: 1, set: { tier: 'large', model: SONNET } },
        ],
      },
    ]);
    const problems = checkExperimentReferences({ ...base, experiments: bad });
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'experiments.0.variants.0.set.tier',
      'experiments.0.variants.1.set.model',
      'experiments.0.variants.2.set.model',
      'experiments.0.variants.3.set.template',
    ]);
    expect(problems[2]?.message).toContain('is not in tier "small"');
  });

  it('is optional: a fleet file without experiments has none', () => {
    expect(base.experiments).toEqual([]);
    expect(base.conversations).toMatchObject({ maxTurns: 20, ttlSeconds: 604_800 });
  });
});

describe('applyExperiment and flows', () => {
  const orchestration = loadSettings({ file: 'examples/fleets/orchestration.yaml', env: {} }).fleet;
  const onLarge = experimentsSchema.parse([{ name: 'big', sticky: 'job', variants: [{ name: 'large', weight: 1, set: { tier: 'large' } }] }]);
  const templated = experimentsSchema.parse([{ name: 'tpl', sticky: 'job', variants: [{ name: 't', weight: 1, set: { template: 'summarization' } }] }]);
  const applyTo = (raw: Record<string, unknown>, list: typeof onLarge) =>
    applyExperiment({ raw, spec: parseJobSpec(raw, orchestration), id: 'f-1' }, list, orchestration);

  it('leaves an ensemble or pipeline job out of an experiment that places jobs: its flow places its members and steps', () => {
    const ensemble = { strategy: 'ensemble', flow: 'three-way-vote', prompt: 'Which letter? A) x B) y' };
    const left = applyTo(ensemble, onLarge);
    expect(left.experiment).toBeUndefined();
    expect(left.spec).toMatchObject({ strategy: 'ensemble', flow: 'three-way-vote' });
    const pipeline = { strategy: 'pipeline', flow: 'invoice', document: 'INVOICE 7: $12' };
    expect(applyTo(pipeline, onLarge).experiment).toBeUndefined();
    // A pipeline's steps have their own templates.
    expect(applyTo(pipeline, templated).experiment).toBeUndefined();
    // A routed document job still takes part.
    expect(applyTo({ document: 'A memo.' }, templated).experiment).toMatchObject({ name: 'tpl', variant: 't', applied: ['template'] });
  });
});
