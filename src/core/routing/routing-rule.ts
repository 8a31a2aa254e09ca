import type { RoutableJob } from './routable-job.js';

/** Conditions of a rule; all given ones must hold. A rule without conditions matches every job. */
export interface RuleConditions {
  /** The job's task type is this one, or one of these. */
  task?: string | readonly string[] | undefined;
  /** Every tag named here has this value. */
  tags?: Readonly<Record<string, string>> | undefined;
  /** Every metadata key named here has this value (same type). */
  metadata?: Readonly<Record<string, string | number | boolean>> | undefined;
  /** Any of these occurs in the text as a whole word, in any case. */
  keywords?: readonly string[] | undefined;
  /** This regular expression (no flags) matches somewhere in the text. */
  regex?: string | undefined;
  /** The text has at least this many characters. */
  minChars?: number | undefined;
  /** The text has at most this many characters. */
  maxChars?: number | undefined;
  /** The job does (or does not) carry an image. */
  hasImage?: boolean | undefined;
}

/** Where a matching rule sends a job: a tier, a model (on its tier), or a model of a tier. */
export interface RuleTarget {
  tier?: string | undefined;
  model?: string | undefined;
}

export interface RoutingRule {
  name?: string | undefined;
  when: RuleConditions;
  then: RuleTarget;
}

/** Says what of the job matched, or undefined when the job does not match. */
export type RuleMatcher = (job: RoutableJob) => string[] | undefined;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A whole word: not preceded or followed by a letter, digit or underscore, in any script. */
function keywordPattern(keyword: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegex(keyword)}(?![\\p{L}\\p{N}_])`, 'iu');
}

/**
 * Compiles a rule's conditions once into a matcher that lists what matched
 * (for the reason). Throws on an invalid regex; the fleet schema refuses
 * those first.
 */
export function compileRule(when: RuleConditions): RuleMatcher {
  const tasks = when.task === undefined ? undefined : typeof when.task === 'string' ? [when.task] : when.task;
  const keywords = when.keywords?.map((word) => ({ word, pattern: keywordPattern(word) }));
  const regex = when.regex === undefined ? undefined : new RegExp(when.regex);
  return (job) => {
    const matched: string[] = [];
    if (tasks !== undefined) {
      if (!tasks.includes(job.task)) return undefined;
      matched.push(`task "${job.task}"`);
    }
    for (const [key, value] of Object.entries(when.tags ?? {})) {
      if (job.tags[key] !== value) return undefined;
      matched.push(`tag ${key}=${value}`);
    }
    for (const [key, value] of Object.entries(when.metadata ?? {})) {
      if (job.metadata[key] !== value) return undefined;
      matched.push(`metadata ${key}=${String(value)}`);
    }
    if (keywords !== undefined) {
      const hit = keywords.find((k) => k.pattern.test(job.text));
      if (hit === undefined) return undefined;
      matched.push(`keyword "${hit.word}"`);
    }
    if (regex !== undefined) {
      if (!regex.test(job.text)) return undefined;
      matched.push(`regex /${regex.source}/`);
    }
    if (when.minChars !== undefined || when.maxChars !== undefined) {
      if (job.inputChars < (when.minChars ?? 0) || job.inputChars > (when.maxChars ?? Infinity)) return undefined;
      const bounds = [when.minChars === undefined ? '' : `≥ ${when.minChars}`, when.maxChars === undefined ? '' : `≤ ${when.maxChars}`];
      matched.push(`${job.inputChars} chars (${bounds.filter((b) => b !== '').join(', ')})`);
    }
    if (when.hasImage !== undefined) {
      if (job.hasImage !== when.hasImage) return undefined;
      matched.push(when.hasImage ? 'has an image' : 'has no image');
    }
    return matched;
  };
}
