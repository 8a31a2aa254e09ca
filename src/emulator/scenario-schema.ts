import { z } from 'zod';
import { EXCEPTION_NAMES, STREAM_EXCEPTIONS } from './exceptions.js';

const rate = z.number().min(0).max(1);
const ms = z.number().nonnegative();

export const latencySchema = z.strictObject({
  baseMs: ms.default(0),
  perOutputTokenMs: ms.default(0),
  /** Uniform jitter of ± this many ms on the base, from the seeded generator. */
  jitterMs: ms.default(0),
});

/** Chance per call of each exception; checked before the model answers. */
export const faultsSchema = z.partialRecord(z.enum(EXCEPTION_NAMES), rate);

/** Chance per streamed call of an exception frame after the first delta. */
export const midStreamFaultsSchema = z.partialRecord(z.enum(STREAM_EXCEPTIONS), rate);

export const ruleSchema = z.strictObject({
  /** A regular expression tested against the last user message's text. */
  match: z.string().min(1),
  flags: z.string().regex(/^[imsu]*$/).default('i'),
  reply: z.string(),
  stopReason: z.string().optional(),
  /** Appended as a "Confidence: x" line. */
  confidence: rate.optional(),
});

export const answerSchema = z.strictObject({
  /**
   * `plausible`: generated text of a plausible length; `echo`: the last user
   * message back; `replay`: recorded answers from the replay dataset.
   */
  mode: z.enum(['plausible', 'echo', 'replay']).default('plausible'),
  /** Scripted replies; the first matching rule wins over `mode`. */
  rules: z.array(ruleSchema).default([]),
  /** A self-reported confidence line appended to every answer. */
  confidence: rate.optional(),
  /** Output length in tokens for `plausible` answers. */
  outputTokens: z.number().int().positive().default(48),
  /** Requests with a `guardrailConfig` whose last user message matches this pattern are blocked. */
  guardrailPattern: z.string().optional(),
  /** RouterBench model answering for this model in `replay` mode. */
  replayModel: z.string().optional(),
});

/**
 * A layer of answer settings (scenario defaults, a model's entry, a run-time
 * override): only what it sets, so a later layer changes just those fields.
 * (`answerSchema.partial()` would fill the defaults back in and undo earlier layers.)
 */
const answerLayerSchema = z.strictObject({
  mode: answerSchema.shape.mode.unwrap().optional(),
  rules: answerSchema.shape.rules.unwrap().optional(),
  confidence: answerSchema.shape.confidence,
  outputTokens: answerSchema.shape.outputTokens.unwrap().optional(),
  guardrailPattern: answerSchema.shape.guardrailPattern,
  replayModel: answerSchema.shape.replayModel,
});

const latencyLayerSchema = z.strictObject({
  baseMs: ms.optional(),
  perOutputTokenMs: ms.optional(),
  jitterMs: ms.optional(),
});

export const modelBehaviourSchema = z.strictObject({
  latency: latencyLayerSchema.optional(),
  faults: faultsSchema.optional(),
  midStreamFaults: midStreamFaultsSchema.optional(),
  answer: answerLayerSchema.optional(),
  contextWindow: z.number().int().positive().optional(),
  /** Treat this id as a prompt router that hands each request to one of these models. */
  promptRouter: z
    .strictObject({
      models: z.array(z.string()).min(1),
      /** Prompts longer than this many characters go to the last model, others to the first. */
      longPromptChars: z.number().int().positive().default(2000),
    })
    .optional(),
});

export const scenarioSchema = z.strictObject({
  seed: z.number().int().default(1),
  /** Behaviour every model starts from; per-model entries override it field by field. */
  defaults: modelBehaviourSchema.optional(),
  models: z.record(z.string(), modelBehaviourSchema).default({}),
  /** What to do with a model the scenario and the fleet file do not know. */
  unknownModels: z.enum(['reject', 'answer']).default('reject'),
  replay: z
    .strictObject({
      /** RouterBench CSV files; relative paths are read from the scenario file's folder. */
      routerbench: z.array(z.string()).min(1),
      /** Fleet model id → RouterBench model name. */
      modelMap: z.record(z.string(), z.string()).default({}),
      /** A prompt that is not in the dataset: answer plausibly, or fail with ValidationException. */
      onMissing: z.enum(['plausible', 'error']).default('error'),
    })
    .optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ModelBehaviourInput = z.infer<typeof modelBehaviourSchema>;
export type Latency = z.infer<typeof latencySchema>;
export type Answer = z.infer<typeof answerSchema>;
export type Faults = z.infer<typeof faultsSchema>;
export type MidStreamFaults = z.infer<typeof midStreamFaultsSchema>;
