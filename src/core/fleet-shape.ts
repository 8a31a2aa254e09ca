import type { CascadeSettings } from './cascade/cascade-policy.js';
import type { FlowsShape } from './flows/flow-definitions.js';

/**
 * The parts of a fleet configuration the core reads. The config layer's
 * FleetConfig satisfies it; the core stays free of the config layer.
 */
export interface FleetShape {
  tiers: readonly { name: string; models: readonly { id: string; contextWindow: number }[] }[];
  routing: { primary: string; fallback: string; tasks: Readonly<Record<string, string>>; default: string };
  cascade: CascadeSettings & { confidencePrompt: string };
  templates: Readonly<Record<string, { system?: string | undefined; prompt: string }>>;
  jobs: { maxInputChars: number };
  /** Named ensembles and pipelines (docs/flows.md). */
  flows?: FlowsShape;
}
