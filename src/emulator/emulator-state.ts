import type { FleetConfig } from '../config/fleet-schema.js';
import { EmulatorStats } from './emulator-stats.js';
import { EmulatedException } from './exceptions.js';
import { resolveBehaviour, type ModelBehaviour } from './model-behaviour.js';
import type { ReplayDataset } from './replay/replay-dataset.js';
import type { ModelBehaviourInput, Scenario } from './scenario-schema.js';
import { seededRandom, type Random } from './seeded-random.js';

/** Behaviour set at run time through the control endpoint; `*` applies to every model. */
export type Overrides = Map<string, ModelBehaviourInput>;

export interface EmulatorStateInit {
  scenario: Scenario;
  /** Models the emulator answers without a scenario entry (the fleet file's). */
  fleet: FleetConfig | undefined;
  replay: ReplayDataset | undefined;
}

/** What the emulator knows and counts: scenario, run-time overrides, generators, stats. */
export class EmulatorState {
  readonly stats = new EmulatorStats();
  readonly scenario: Scenario;
  readonly replay: ReplayDataset | undefined;
  private readonly overrides: Overrides = new Map();
  private readonly randoms = new Map<string, Random>();
  private readonly fleetWindows = new Map<string, number>();
  private readonly cache = new Map<string, ModelBehaviour>();

  constructor(init: EmulatorStateInit) {
    this.scenario = init.scenario;
    this.replay = init.replay;
    for (const tier of init.fleet?.tiers ?? []) {
      for (const model of tier.models) this.fleetWindows.set(model.id, model.contextWindow);
    }
  }

  private isKnown(modelId: string): boolean {
    return (
      this.scenario.unknownModels === 'answer' ||
      this.fleetWindows.has(modelId) ||
      modelId in this.scenario.models ||
      (this.scenario.replay !== undefined && modelId in this.scenario.replay.modelMap) ||
      this.overrides.has(modelId)
    );
  }

  /** The resolved behaviour of a model; ResourceNotFoundException for a model nobody configured. */
  behaviourOf(modelId: string): ModelBehaviour {
    const cached = this.cache.get(modelId);
    if (cached !== undefined) return cached;
    if (!this.isKnown(modelId)) {
      throw new EmulatedException('ResourceNotFoundException', `The model ${modelId} is not available in the emulator.`);
    }
    const behaviour = resolveBehaviour(
      [this.scenario.defaults, this.scenario.models[modelId], this.overrides.get('*'), this.overrides.get(modelId)],
      this.fleetWindows.get(modelId),
    );
    this.cache.set(modelId, behaviour);
    return behaviour;
  }

  /** RouterBench model that answers for a fleet model in replay mode. */
  replayModelOf(modelId: string, behaviour: ModelBehaviour): string | undefined {
    return behaviour.answer.replayModel ?? this.scenario.replay?.modelMap[modelId];
  }

  randomOf(modelId: string): Random {
    let random = this.randoms.get(modelId);
    if (random === undefined) {
      random = seededRandom(this.scenario.seed, modelId);
      this.randoms.set(modelId, random);
    }
    return random;
  }

  /** Layers run-time behaviour over the scenario's (field by field). */
  override(modelId: string, layer: ModelBehaviourInput): void {
    const current = this.overrides.get(modelId) ?? {};
    this.overrides.set(modelId, {
      ...current,
      ...layer,
      latency: { ...current.latency, ...layer.latency },
      faults: { ...current.faults, ...layer.faults },
      midStreamFaults: { ...current.midStreamFaults, ...layer.midStreamFaults },
      answer: { ...current.answer, ...layer.answer },
    });
    this.cache.clear();
  }

  clearOverrides(): void {
    this.overrides.clear();
    this.cache.clear();
  }

  /** Back to the scenario as loaded: overrides, counts and generators reset. */
  reset(): void {
    this.clearOverrides();
    this.randoms.clear();
    this.stats.reset();
  }
}
