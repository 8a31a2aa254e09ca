import { estimateTokens } from '../core/estimate-tokens.js';
import { EmulatedException } from './exceptions.js';
import type { ModelBehaviour } from './model-behaviour.js';
import { promptKey, type ReplayDataset } from './replay/replay-dataset.js';
import {
  imageCount,
  inputText,
  lastUserText,
  lastUserTextSuffixes,
  TOKENS_PER_IMAGE,
  type CheckedRequest,
} from './validate-converse-request.js';

/** A model's reply before it is written as JSON or as stream frames. */
export interface ComposedAnswer {
  text: string;
  stopReason: string;
  inputTokens: number;
  outputTokens: number;
}

export interface ComposeContext {
  modelId: string;
  behaviour: ModelBehaviour;
  request: CheckedRequest;
  replay: ReplayDataset | undefined;
  /** RouterBench model answering for `modelId`, when replaying. */
  replayModel: string | undefined;
  /** Whether a prompt missing from the replay data gets a plausible answer. */
  replayFallback: boolean;
}

const FILLER =
  'The answer considers the question step by step, weighs the likely readings, and settles on the most reasonable one. ';

function plausibleText(modelId: string, prompt: string, outputTokens: number): string {
  const topic = prompt.split(/\s+/).filter(Boolean).slice(0, 8).join(' ');
  let text = `Emulated answer from ${modelId} about "${topic}". `;
  const targetChars = outputTokens * 4;
  while (text.length < targetChars) text += FILLER;
  const cut = text.lastIndexOf(' ', targetChars);
  return `${text.slice(0, cut > targetChars * 0.8 ? cut : targetChars).trimEnd()}.`;
}

/** Scenario patterns, compiled once: answering is the emulator's hot path. */
const patterns = new Map<string, RegExp>();
function pattern(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let compiled = patterns.get(key);
  if (compiled === undefined) {
    compiled = new RegExp(source, flags);
    patterns.set(key, compiled);
  }
  return compiled;
}

const confidenceLine = (confidence: number): string => `\nConfidence: ${confidence.toFixed(2)}`;

interface Draft {
  text: string;
  stopReason: string;
  outputTokens?: number;
  inputTokens?: number;
}

function draftAnswer(ctx: ComposeContext, prompt: string): Draft {
  const { answer } = ctx.behaviour;
  // As on Bedrock, a guardrail intervenes only on requests that configure one.
  const guarded = ctx.request.hasGuardrailConfig && answer.guardrailPattern !== undefined;
  if (guarded && pattern(answer.guardrailPattern ?? '', 'i').test(prompt)) {
    return { text: 'Sorry, this request was blocked by a guardrail.', stopReason: 'guardrail_intervened' };
  }
  for (const rule of answer.rules) {
    if (pattern(rule.match, rule.flags).test(prompt)) {
      const confidence = rule.confidence ?? answer.confidence;
      return {
        text: rule.reply + (confidence === undefined ? '' : confidenceLine(confidence)),
        stopReason: rule.stopReason ?? 'end_turn',
      };
    }
  }
  const withConfidence = (text: string): string =>
    answer.confidence === undefined ? text : text + confidenceLine(answer.confidence);

  if (answer.mode === 'replay') {
    const { replay, replayModel } = ctx;
    // The whole last user message first; then without its leading blocks (a system prompt folded in).
    const recorded =
      replay !== undefined && replayModel !== undefined
        ? lastUserTextSuffixes(ctx.request)
            .map((text) => replay.lookup(promptKey(text), replayModel))
            .find((found) => found !== undefined)
        : undefined;
    if (recorded !== undefined) {
      return {
        text: withConfidence(recorded.text),
        stopReason: 'end_turn',
        inputTokens: recorded.inputTokens,
        outputTokens: recorded.outputTokens,
      };
    }
    if (!ctx.replayFallback) {
      throw new EmulatedException(
        'ValidationException',
        ctx.replayModel === undefined
          ? `The emulator has no replay model mapped to ${ctx.modelId}.`
          : `The emulator has no recorded answer of ${ctx.replayModel} for this prompt.`,
      );
    }
  }
  if (answer.mode === 'echo') return { text: withConfidence(prompt), stopReason: 'end_turn' };
  return { text: withConfidence(plausibleText(ctx.modelId, prompt, answer.outputTokens)), stopReason: 'end_turn' };
}

/** Cuts at the first stop sequence, then at `maxTokens`, as a model would. */
function applyLimits(draft: Draft, request: CheckedRequest): Draft {
  let { text, stopReason } = draft;
  let outputTokens = draft.outputTokens ?? estimateTokens(text);
  for (const stop of request.stopSequences) {
    const at = stop === '' ? -1 : text.indexOf(stop);
    if (at >= 0) {
      text = text.slice(0, at);
      stopReason = 'stop_sequence';
      outputTokens = estimateTokens(text);
    }
  }
  if (request.maxTokens !== undefined && outputTokens > request.maxTokens) {
    text = text.slice(0, Math.max(1, Math.floor((text.length * request.maxTokens) / outputTokens)));
    outputTokens = request.maxTokens;
    stopReason = 'max_tokens';
  }
  return { ...draft, text, stopReason, outputTokens };
}

/**
 * The model's reply to a checked request, from the behaviour's rules, mode
 * and limits. Throws ValidationException when the input does not fit the
 * model's context window, as Bedrock does.
 */
export function composeAnswer(ctx: ComposeContext): ComposedAnswer {
  const prompt = lastUserText(ctx.request);
  const estimatedInput = estimateTokens(inputText(ctx.request)) + imageCount(ctx.request) * TOKENS_PER_IMAGE;
  if (estimatedInput > ctx.behaviour.contextWindow) {
    throw new EmulatedException(
      'ValidationException',
      `Input is too long for requested model. The input has about ${estimatedInput} tokens; ${ctx.modelId} accepts ${ctx.behaviour.contextWindow}.`,
    );
  }
  const draft = applyLimits(draftAnswer(ctx, prompt), ctx.request);
  return {
    text: draft.text,
    stopReason: draft.stopReason,
    inputTokens: draft.inputTokens ?? estimatedInput,
    outputTokens: draft.outputTokens ?? estimateTokens(draft.text),
  };
}
