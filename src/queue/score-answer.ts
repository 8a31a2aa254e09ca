import type { Logger } from 'pino';
import type { FleetConfig } from '../config/fleet-schema.js';
import { ConfigError } from '../config/config-error.js';
import { loadUserFunction } from '../config/load-user-function.js';
import { thresholdsFor, type CascadePolicy } from '../core/cascade/cascade-policy.js';
import { gradeCannotMatter } from '../core/cascade/decide-escalation.js';
import { scoreConfidence, type ConfidenceScore } from '../core/cascade/score-confidence.js';
import { DEFAULT_JUDGE_PROMPT, judgePrompt, parseJudgeScore } from '../core/confidence/judge-prompt.js';
import { scoreHeuristic } from '../core/confidence/score-heuristic.js';
import type { Attempt } from '../core/job/attempt.js';
import type { ModelResult } from '../core/model-result.js';
import type { TierAnswer, TierCallInput } from '../resilience/call-tier-models.js';
import { TierCallError } from '../resilience/tier-call-error.js';
import { answerAttempt } from './answer-attempt.js';
import type { TierJobData } from './tier-job-data.js';

/** What a custom scorer module's function receives. */
export interface CustomScoreInput {
  text: string;
  stopReason: string;
  task: string;
  tags: Record<string, string>;
  metadata: Record<string, string | number | boolean>;
  tier: string;
  model: string;
}

type CustomScorer = (input: CustomScoreInput) => number | Promise<number>;

export interface AnswerScoring {
  score: ConfidenceScore;
  /** Calls the scorer made (a judge's), to add to the job's attempts. */
  attempts: Attempt[];
  /** What the scorer did, for the decision's reason. */
  note: string;
}

export interface AnswerScorerDeps {
  fleet: FleetConfig;
  /** Where a custom scorer's relative module path is read from: the fleet file's folder. */
  fleetDir: string;
  log: Logger;
  now: () => number;
  /** One answer from the given tier settings (the judge's model alone), its cost counted toward `tenant`'s spend; aborted with `signal`. */
  call(tier: TierCallInput['tier'], request: TierCallInput['request'], tenant: string, signal: AbortSignal | undefined): Promise<TierAnswer>;
}

const lastUserText = (data: TierJobData): string =>
  (data.request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? [])
    .map((block) => ('text' in block && typeof block.text === 'string' ? block.text : ''))
    .join('\n');

/**
 * Scores one answer the way the job's cascade policy says: the model's
 * self-report (the default), heuristics alone, a judge model's grade, or a
 * user's function. Answers cut off, empty, refused or blocked keep their
 * low heuristic score whatever the scorer. A judge or custom scorer that
 * fails scores 0, so the job escalates rather than trusting an ungraded answer.
 */
export function createAnswerScorer(deps: AnswerScorerDeps) {
  const customs = new Map<string, Promise<CustomScorer>>();
  const custom = (module: string): Promise<CustomScorer> => {
    let loaded = customs.get(module);
    if (loaded === undefined) {
      loaded = loadUserFunction(
        { module, at: 'cascade.policies[]', what: 'custom scorer', signature: 'a function (input) => confidence in [0, 1]' },
        deps.fleetDir,
      ).then(({ fn }) => fn as CustomScorer);
      customs.set(module, loaded);
    }
    return loaded;
  };

  async function judge(policy: CascadePolicy, data: TierJobData, base: ConfidenceScore, signal: AbortSignal | undefined): Promise<AnswerScoring> {
    const model = policy.judge?.model ?? '';
    const tier = deps.fleet.tiers.find((t) => t.models.some((m) => m.id === model));
    if (tier === undefined) return { score: { ...base, confidence: 0 }, attempts: [], note: `judge ${model} is not in the fleet` };
    const prompt = judgePrompt(policy.judge?.prompt ?? DEFAULT_JUDGE_PROMPT, lastUserText(data), base.text);
    const startedAt = deps.now();
    try {
      const { result, fallback, failures } = await deps.call(
        { ...tier, models: tier.models.filter((m) => m.id === model) },
        { messages: [{ role: 'user', content: [{ text: prompt }] }], system: [], inference: { temperature: 0, maxTokens: 16 } },
        data.tenant,
        signal,
      );
      const grade = parseJudgeScore(result.text);
      const confidence = grade ?? 0;
      const attempt = answerAttempt({ tier: tier.name, model, result, outcome: 'judged', confidence, fallback, startedAt });
      const note = grade === undefined ? `judge ${model} gave no score ("${result.text.slice(0, 40)}")` : `judge ${model} graded it ${(grade * 10).toFixed(1)}/10`;
      return { score: { ...base, confidence }, attempts: [...failures, attempt], note };
    } catch (error) {
      // Cancelled (the job, or the worker shutting down): the job stops here, it does not climb.
      if (!(error instanceof TierCallError) || error.reason === 'cancelled') throw error;
      deps.log.warn({ judge: model, reason: error.reason }, 'the judge could not grade the answer');
      return { score: { ...base, confidence: 0 }, attempts: error.attempts, note: `judge ${model} failed: ${error.message}` };
    }
  }

  async function customScore(policy: CascadePolicy, data: TierJobData, base: ConfidenceScore, tier: string, model: string, result: ModelResult): Promise<AnswerScoring> {
    const module = policy.module ?? '';
    try {
      const fn = await custom(module);
      const value = await fn({ text: base.text, stopReason: result.stopReason, task: data.task, tags: data.tags, metadata: data.metadata, tier, model });
      if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || value > 1) {
        throw new Error(`returned ${JSON.stringify(value)}; expected a confidence from 0 to 1`);
      }
      return { score: { ...base, confidence: value }, attempts: [], note: `custom scorer gave ${value.toFixed(2)}` };
    } catch (error) {
      const message =
        error instanceof ConfigError ? error.problems.map((p) => p.message).join('; ') : error instanceof Error ? error.message : String(error);
      deps.log.warn({ module, err: message }, 'the custom scorer failed; the answer scores 0');
      return { score: { ...base, confidence: 0 }, attempts: [], note: `custom scorer failed: ${message}` };
    }
  }

  /** Throws a `cancelled` TierCallError when `signal` aborts a judge's call. */
  return async (input: {
    policy: CascadePolicy | undefined;
    data: TierJobData;
    result: ModelResult;
    tier: string;
    model: string;
    signal?: AbortSignal | undefined;
  }): Promise<AnswerScoring> => {
    const scorer = input.policy?.scorer ?? 'self-report';
    if (scorer === 'heuristic') return { score: scoreHeuristic(input.result), attempts: [], note: 'heuristic' };
    const base = scoreConfidence(input.result);
    if (scorer === 'self-report' || input.policy === undefined) return { score: base, attempts: [], note: '' };
    if (base.capped !== undefined) return { score: base, attempts: [], note: `answer ${base.capped}, not graded` };
    const plain = { ...base, selfReported: undefined };
    if (scorer === 'judge') {
      // A grade that cannot change the decision is not worth a call.
      const thresholds = thresholdsFor(deps.fleet.cascade, input.policy);
      const fixed = gradeCannotMatter({ path: input.data.path, tier: input.tier, thresholds });
      if (fixed !== undefined) return { score: plain, attempts: [], note: `${fixed}: not graded` };
      return judge(input.policy, input.data, plain, input.signal);
    }
    if (scorer === 'custom') return customScore(input.policy, input.data, plain, input.tier, input.model, input.result);
    return { score: base, attempts: [], note: '' };
  };
}

export type AnswerScorer = ReturnType<typeof createAnswerScorer>;
