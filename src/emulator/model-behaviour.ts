import type { Answer, Faults, Latency, MidStreamFaults, ModelBehaviourInput } from './scenario-schema.js';
import { answerSchema, latencySchema } from './scenario-schema.js';

/** Everything that decides how one model answers, fully resolved. */
export interface ModelBehaviour {
  latency: Latency;
  faults: Faults;
  midStreamFaults: MidStreamFaults;
  answer: Answer;
  contextWindow: number;
  promptRouter: { models: string[]; longPromptChars: number } | undefined;
}

const DEFAULT_CONTEXT_WINDOW = 128_000;

/** Layers partial behaviours, later ones winning field by field. */
export function resolveBehaviour(layers: (ModelBehaviourInput | undefined)[], contextWindow?: number): ModelBehaviour {
  let latency: Partial<Latency> = {};
  let faults: Faults = {};
  let midStreamFaults: MidStreamFaults = {};
  let answer: Partial<Answer> = {};
  let window = contextWindow;
  let promptRouter: ModelBehaviour['promptRouter'];
  for (const layer of layers) {
    if (layer === undefined) continue;
    latency = { ...latency, ...layer.latency };
    faults = { ...faults, ...layer.faults };
    midStreamFaults = { ...midStreamFaults, ...layer.midStreamFaults };
    answer = { ...answer, ...layer.answer };
    window = layer.contextWindow ?? window;
    promptRouter = layer.promptRouter ?? promptRouter;
  }
  return {
    latency: latencySchema.parse(latency),
    faults,
    midStreamFaults,
    answer: answerSchema.parse(answer),
    contextWindow: window ?? DEFAULT_CONTEXT_WINDOW,
    promptRouter,
  };
}
