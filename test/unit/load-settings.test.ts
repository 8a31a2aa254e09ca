import { DEFAULT_CONFIDENCE_PROMPT } from '../../src/config/default-templates.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { DEFAULT_FLEET_FILE, loadSettings, type Settings } from '../../src/config/load-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes a fleet file (JSON for objects, as-is for strings) and returns its path. */
function fleetFile(content: unknown, ext = 'json'): string {
  const file = join(dir, `fleet-${++fileCount}.${ext}`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const MICRO = 'amazon.nova-micro-v1:0';
const PRO = 'amazon.nova-pro-v1:0';

interface ModelInput {
  id: string;
  price: Record<string, unknown>;
  contextWindow?: number;
  [key: string]: unknown;
}
interface TierInput {
  name: string;
  models: ModelInput[];
  [key: string]: unknown;
}
interface FleetInput {
  tiers: TierInput[];
  routing: Record<string, unknown>;
  [key: string]: unknown;
}

/** A small valid fleet; tests break one field at a time. */
function goodFleet(): FleetInput {
  return {
    tiers: [
      { name: 'small', models: [{ id: MICRO, price: { inputPer1k: 0.000035, outputPer1k: 0.00014 }, contextWindow: 128000 }] },
      { name: 'large', models: [{ id: PRO, price: { inputPer1k: 0.0008, outputPer1k: 0.0032 }, contextWindow: 300000 }] },
    ],
    routing: { primary: PRO, fallback: MICRO },
  };
}

function load(content: unknown, env: Record<string, string> = {}): Settings {
  return loadSettings({ env, file: fleetFile(content) });
}

/** Runs `fn`, expects a ConfigError, and returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** Expects exactly one problem at `where` whose message matches every pattern. */
function expectProblem(error: ConfigError, where: string, ...patterns: RegExp[]): void {
  expect(error.problems.map((p) => p.where)).toEqual([where]);
  expect(error.message).toContain(where);
  for (const pattern of patterns) expect(error.problems[0]?.message).toMatch(pattern);
}

describe('loadSettings: the shipped default fleet', () => {
  let settings: Settings;
  let fleet: Settings['fleet'];
  beforeAll(() => {
    settings = loadSettings({ env: {} });
    fleet = settings.fleet;
  });
  const price = (id: string) => fleet.tiers.flatMap((t) => t.models).find((m) => m.id === id)?.price;

  it('loads from the default file with tiers small, medium, large', () => {
    expect(settings.fleetFile).toBe(DEFAULT_FLEET_FILE);
    expect(fleet.tiers.map((t) => t.name)).toEqual(['small', 'medium', 'large']);
    for (const tier of fleet.tiers) expect(tier.models.length).toBeGreaterThan(0);
  });

  it('lists real Bedrock model ids with their prices', () => {
    expect(fleet.tiers[0]?.models[0]?.id).toBe(MICRO);
    expect(price(MICRO)).toEqual({ inputPer1k: 0.000035, outputPer1k: 0.00014 });
    expect(price('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual({ inputPer1k: 0.003, outputPer1k: 0.015 });
    for (const model of fleet.tiers.flatMap((t) => t.models)) {
      expect(model.id).toMatch(/^(us\.)?[a-z0-9-]+\.[a-z0-9.-]+:\d+$/);
    }
    expect(fleet.routing.primary).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  it('fills environment defaults', () => {
    expect(settings).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      region: 'us-east-1',
      bedrockEndpoint: undefined,
      logLevel: 'info',
      logPrompts: false,
      metrics: undefined,
    });
  });

  it('serves metrics on FLEET_METRICS_PORT (every address unless FLEET_METRICS_HOST), and names a bad port', () => {
    expect(loadSettings({ env: { FLEET_METRICS_PORT: '9464' } }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(loadSettings({ env: { FLEET_METRICS_PORT: '9464', FLEET_METRICS_HOST: '127.0.0.1' } }).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
    for (const bad of ['metrics', '0', '70000', '94.5']) {
      expect(() => loadSettings({ env: { FLEET_METRICS_PORT: bad } }), bad).toThrow(/FLEET_METRICS_PORT: expected a port number from 1 to 65535/);
    }
  });

  it('reads the fleet file from FLEET_CONFIG when no file option is given', () => {
    const file = fleetFile(goodFleet());
    expect(loadSettings({ env: { FLEET_CONFIG: file } }).fleetFile).toBe(file);
  });
});

describe('loadSettings: a good custom file', () => {
  it('loads JSON and fills every default', () => {
    const { fleet } = load(goodFleet());
    expect(fleet.name).toBe('fleet');
    expect(fleet.tiers[0]).toMatchObject({
      concurrency: 8,
      callTimeoutMs: 60_000,
      breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 5, rollingCountTimeoutMs: 10_000 },
      retry: { attemptsPerModel: 2, baseDelayMs: 200, maxDelayMs: 5_000, jobAttempts: 3 },
    });
    expect(fleet.cascade).toEqual({ thresholds: {}, onChildFailure: 'fail', confidencePrompt: DEFAULT_CONFIDENCE_PROMPT, policies: [] });
    expect(fleet.jobs).toEqual({ keepCompletedSeconds: 86_400, keepFailedSeconds: 86_400, maxInputChars: 400_000 });
    expect(fleet.workers).toMatchObject({ lockDurationMs: 30_000, shutdownGraceMs: 30_000, maxStalledCount: 2 });
    expect(Object.keys(fleet.templates)).toEqual(expect.arrayContaining(['summarization', 'classification', 'extraction', 'qa']));
    expect(fleet.routing.tasks).toEqual({
      reasoning: 'primary',
      coding: 'primary',
      analysis: 'primary',
      summarization: 'fallback',
      classification: 'fallback',
    });
    expect(fleet.routing.default).toBe('primary');
  });

  it('loads YAML and keeps the values it sets', () => {
    const yaml = `name: test-fleet
tiers:
  - name: small
    concurrency: 3
    breaker: { volumeThreshold: 10 }
    models:
      - id: ${MICRO}
        price: { inputPer1k: 0.1, outputPer1k: 0.2 }
        contextWindow: 1000
cascade:
  thresholds: { small: 0.6 }
  onChildFailure: best-answer
routing:
  primary: ${MICRO}
  fallback: ${MICRO}
  tasks: { coding: ${MICRO} }
  default: fallback
`;
    const { fleet } = loadSettings({ env: {}, file: fleetFile(yaml, 'yaml') });
    expect(fleet.name).toBe('test-fleet');
    expect(fleet.tiers[0]?.concurrency).toBe(3);
    expect(fleet.tiers[0]?.breaker).toMatchObject({ volumeThreshold: 10, errorThresholdPercentage: 50 });
    expect(fleet.cascade).toMatchObject({ thresholds: { small: 0.6 }, onChildFailure: 'best-answer' });
    expect(fleet.routing).toEqual({ primary: MICRO, fallback: MICRO, tasks: { coding: MICRO }, default: 'fallback' });
  });

  it('reads the environment variables it knows', () => {
    const settings = load(goodFleet(), {
      REDIS_URL: 'rediss://cache.example:6380',
      AWS_REGION: 'eu-west-2',
      BEDROCK_ENDPOINT: 'http://127.0.0.1:4010',
      LOG_LEVEL: 'debug',
      LOG_PROMPTS: 'true',
    });
    expect(settings).toMatchObject({
      redisUrl: 'rediss://cache.example:6380',
      region: 'eu-west-2',
      bedrockEndpoint: 'http://127.0.0.1:4010',
      logLevel: 'debug',
      logPrompts: true,
    });
  });
});

describe('loadSettings: PRIMARY_MODEL_ID and FALLBACK_MODEL_ID', () => {
  it('override routing.primary and routing.fallback without editing the file', () => {
    const { fleet } = load(goodFleet(), { PRIMARY_MODEL_ID: MICRO, FALLBACK_MODEL_ID: PRO });
    expect(fleet.routing.primary).toBe(MICRO);
    expect(fleet.routing.fallback).toBe(PRO);
  });

  it('override the shipped default file too', () => {
    const { fleet } = loadSettings({ env: { PRIMARY_MODEL_ID: 'amazon.nova-pro-v1:0' } });
    expect(fleet.routing.primary).toBe('amazon.nova-pro-v1:0');
  });

  it('fail naming the variable and the known models when the model is in no tier', () => {
    const error = configError(() => load(goodFleet(), { PRIMARY_MODEL_ID: 'amazon.titan-text-express-v1' }));
    expectProblem(error, 'PRIMARY_MODEL_ID (routing.primary)', /amazon\.titan-text-express-v1/, /not in any tier/);
    expect(error.problems[0]?.message).toContain(MICRO);
    expect(error.problems[0]?.message).toContain(PRO);
  });

  it('fail naming the variable when its value is not a model id', () => {
    const error = configError(() => load(goodFleet(), { FALLBACK_MODEL_ID: 'not a model' }));
    expectProblem(error, 'FALLBACK_MODEL_ID', /expected a Bedrock model id/);
  });
});

describe('loadSettings: bad fields name the path and what was expected', () => {
  const cases: [string, (f: FleetInput) => void, string, RegExp][] = [
    ['price of the wrong type', (f) => void (f.tiers[0]!.models[0]!.price.inputPer1k = '0.1'), 'tiers[0].models[0].price.inputPer1k', /expected number, received string/],
    ['a negative price', (f) => void (f.tiers[1]!.models[0]!.price.outputPer1k = -1), 'tiers[1].models[0].price.outputPer1k', /expected number to be >=0/],
    ['no tiers', (f) => void delete (f as Partial<FleetInput>).tiers, 'tiers', /expected array/],
    ['no routing', (f) => void delete (f as Partial<FleetInput>).routing, 'routing', /expected object/],
    ['a model without contextWindow', (f) => void delete f.tiers[0]!.models[0]!.contextWindow, 'tiers[0].models[0].contextWindow', /expected number/],
    ['an empty models array', (f) => void (f.tiers[1]!.models = []), 'tiers[1].models', /expected at least one model/],
    ['a malformed model id', (f) => void (f.tiers[0]!.models[0]!.id = 'Nova Micro'), 'tiers[0].models[0].id', /expected a Bedrock model id/],
    ['a malformed ARN', (f) => void (f.tiers[0]!.models[0]!.id = 'arn:aws:bedrock:garbage with spaces'), 'tiers[0].models[0].id', /expected a Bedrock model id/],
    ['an unknown top-level key', (f) => void (f.teirs = []), '(top level)', /Unrecognized key: "teirs"/],
    ['an unknown key in a model', (f) => void (f.tiers[0]!.models[0]!.cost = 1), 'tiers[0].models[0]', /Unrecognized key: "cost"/],
    ['a bad tier name', (f) => void (f.tiers[0]!.name = 'Small Tier'), 'tiers[0].name', /expected a lowercase name/],
    ['duplicate tier names', (f) => void (f.tiers[1]!.name = 'small'), 'tiers[1].name', /"small" is used twice; expected unique/],
    ['a model listed twice in a tier', (f) => void f.tiers[0]!.models.push(structuredClone(f.tiers[0]!.models[0]!)), 'tiers[0].models[1].id', /listed twice in tier "small"/],
    ['a cascade threshold over 1', (f) => void (f.cascade = { thresholds: { small: 1.5 } }), 'cascade.thresholds.small', /expected number to be <=1/],
    ['a cascade path with an unknown tier', (f) => void (f.cascade = { path: ['small', 'huge'] }), 'cascade.path[1]', /no tier is named "huge"/],
    ['a cascade path out of tier order', (f) => void (f.cascade = { path: ['large', 'small'] }), 'cascade.path[1]', /comes before "large"/],
    ['a template without its placeholder', (f) => void (f.templates = { notes: { prompt: 'Summarize.' } }), 'templates.notes.prompt', /\{\{document\}\}/],
    ['a cascade threshold for an unknown tier', (f) => void (f.cascade = { thresholds: { medium: 0.5 } }), 'cascade.thresholds.medium', /no tier is named "medium"; expected one of small, large/],
    ['a task routed to an unknown target', (f) => void (f.routing.tasks = { coding: 'gpt-4' }), 'routing.tasks.coding', /"gpt-4" is neither "primary", "fallback" nor a model/],
    ['a default route to an unknown target', (f) => void (f.routing.default = 'secondary'), 'routing.default', /"secondary" is neither/],
    ['routing.primary in no tier', (f) => void (f.routing.primary = 'meta.llama3-8b-instruct-v1:0'), 'routing.primary', /not in any tier; expected one of/],
  ];

  it.each(cases)('%s', (_label, breakIt, where, expected) => {
    const fleet = goodFleet();
    breakIt(fleet);
    const error = configError(() => load(fleet));
    expectProblem(error, where, expected);
    expect(error.message).toMatch(/^Invalid configuration \(.*fleet-\d+\.json\):/);
  });

  it('lists every schema problem of a file at once', () => {
    const fleet = goodFleet();
    fleet.tiers[0]!.name = 'Bad';
    fleet.tiers[1]!.models = [];
    fleet.routing.fallback = 42;
    fleet.extra = true;
    const error = configError(() => load(fleet));
    expect(error.problems.map((p) => p.where).sort()).toEqual(
      ['(top level)', 'routing.fallback', 'tiers[0].name', 'tiers[1].models'].sort(),
    );
    for (const p of error.problems) expect(error.message).toContain(`${p.where}: ${p.message}`);
  });

  it('lists every reference problem of a file at once', () => {
    const fleet = goodFleet();
    fleet.tiers[1]!.name = 'small';
    fleet.cascade = { thresholds: { huge: 0.5 } };
    fleet.routing.tasks = { coding: 'nowhere' };
    const error = configError(() => load(fleet));
    expect(error.problems.map((p) => p.where)).toEqual(['tiers[1].name', 'cascade.thresholds.huge', 'routing.tasks.coding']);
  });
});

describe('loadSettings: unreadable files', () => {
  it('reports a missing file with ENOENT', () => {
    const missing = join(dir, 'no-such-fleet.yaml');
    const error = configError(() => loadSettings({ env: {}, file: missing }));
    expectProblem(error, 'file', /cannot read the fleet file \(ENOENT\)/);
    expect(error.message).toContain(missing);
  });

  it('reports a YAML syntax error with its line', () => {
    const error = configError(() => loadSettings({ env: {}, file: fleetFile('tiers:\n  - name: small\n    models: [\n  bad: : :\n', 'yaml') }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.where).toMatch(/^line \d+$/);
    expect(error.problems[0]?.message).toMatch(/not valid YAML or JSON/);
  });

  it.each([
    ['a list', '- small\n- large\n'],
    ['a scalar', 'just text\n'],
    ['an empty file', ''],
  ])('rejects a top level that is %s', (_label, text) => {
    const error = configError(() => loadSettings({ env: {}, file: fleetFile(text, 'yaml') }));
    expectProblem(error, '(top level)', /expected a mapping/);
  });
});

describe('loadSettings: bad environment variables', () => {
  it.each([
    ['REDIS_URL', 'http://127.0.0.1:6379', /expected a URL like redis:\/\//],
    ['REDIS_URL', 'localhost', /expected a URL like redis:\/\//],
    ['AWS_REGION', 'US_EAST_1', /expected an AWS region like us-east-1/],
    ['BEDROCK_ENDPOINT', 'ftp://127.0.0.1:4010', /expected a URL like http:\/\//],
    ['LOG_LEVEL', 'loud', /expected one of .*"info"/],
    ['LOG_PROMPTS', 'yes', /expected one of .*"true"/],
  ])('%s=%s fails naming the variable', (variable, value, expected) => {
    const error = configError(() => load(goodFleet(), { [variable]: value }));
    expectProblem(error, variable, expected);
    expect(error.message).toMatch(/^Invalid configuration \(environment\):/);
  });

  it('treats empty variables as unset', () => {
    const settings = load(goodFleet(), { REDIS_URL: '', LOG_LEVEL: '', PRIMARY_MODEL_ID: '' });
    expect(settings.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(settings.logLevel).toBe('info');
    expect(settings.fleet.routing.primary).toBe(PRO);
  });

  it('lists every bad variable at once', () => {
    const error = configError(() => load(goodFleet(), { REDIS_URL: 'x', AWS_REGION: 'mars', LOG_LEVEL: 'loud' }));
    expect(error.problems.map((p) => p.where).sort()).toEqual(['AWS_REGION', 'LOG_LEVEL', 'REDIS_URL']);
  });
});
