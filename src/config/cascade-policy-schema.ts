import { z } from 'zod';
import { extractorSchema } from './extractor-schema.js';

const positiveInt = z.number().int().positive();
const share = z.number().min(0).max(1);

/** One tier's voting under the agreement scorer. */
export const tierVotingSchema = z.strictObject({
  /** Models of this tier asked in turn (the tier's order; a failing one is replaced by the next). */
  voters: positiveInt.default(1),
  /** Agreeing votes, counted over every tier so far, that accept the answer. */
  quorum: positiveInt.optional(),
  /** The tier's models that vote, in the order asked; all of the tier's, in its order, when unset. */
  models: z.array(z.string().min(1)).min(1).optional(),
  /** Ask the tier's voters at once (one round trip of latency) rather than one after another (which may stop early and save a call). */
  parallel: z.boolean().default(false),
});

export const SCORERS = ['self-report', 'heuristic', 'agreement', 'judge', 'custom'] as const;

export const judgeSchema = z.strictObject({
  /** The model that grades answers (any model of the fleet). */
  model: z.string().min(1),
  /** The grading instruction; `{{question}}` and `{{answer}}` are replaced. The judge answers with a score from 0 to 10. */
  prompt: z.string().optional(),
});

/**
 * How cascade jobs of some task types climb: which tiers, which scorer,
 * which thresholds or votes, or no cascade at all. The first policy whose
 * `tasks` hold the job's task applies; one without `tasks` applies to any.
 */
export const cascadePolicySchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    tasks: z.array(z.string().min(1)).min(1).optional(),
    /** `false`: no cascade; the entry tier's answer is final. */
    cascade: z.boolean().default(true),
    /** Tiers to climb, lowest first; the fleet's cascade path when unset. */
    path: z.array(z.string().min(1)).min(1).optional(),
    scorer: z.enum(SCORERS).default('self-report'),
    /** For `agreement`: how an answer becomes a vote. */
    extractor: extractorSchema.optional(),
    /** For `agreement`: voters and quorum per tier; a tier not listed asks one voter and accepts at the top of the path. */
    votes: z.record(z.string(), tierVotingSchema).optional(),
    /** For `self-report`, `heuristic`, `judge` and `custom`: confidence each tier needs (the fleet's thresholds when unset). */
    thresholds: z.record(z.string(), share).optional(),
    judge: judgeSchema.optional(),
    /** For `custom`: an ES module exporting `score(input)` → confidence in [0, 1] (path relative to the fleet file). */
    module: z.string().min(1).optional(),
  })
  .superRefine((policy, ctx) => {
    if (policy.scorer === 'agreement' && policy.extractor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['extractor'], message: 'the agreement scorer needs an extractor (choice, number, exact or regex)' });
    }
    if (policy.scorer === 'judge' && policy.judge === undefined) {
      ctx.addIssue({ code: 'custom', path: ['judge'], message: 'the judge scorer needs "judge.model"' });
    }
    if (policy.scorer === 'custom' && policy.module === undefined) {
      ctx.addIssue({ code: 'custom', path: ['module'], message: 'the custom scorer needs "module", the path of an ES module exporting score()' });
    }
  });

export type CascadePolicyConfig = z.infer<typeof cascadePolicySchema>;
export type TierVotingConfig = z.infer<typeof tierVotingSchema>;
