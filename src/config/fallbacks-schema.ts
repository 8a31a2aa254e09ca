import { z } from 'zod';
import type { ReferenceProblem } from './check-fleet-references.js';

/**
 * Fallbacks beyond a tier's own models (`fallbacks` in the fleet file). Both
 * name a model listed in some tier, so it has a price and a breaker.
 * See docs/call-features.md.
 */
export const fallbacksSchema = z.strictObject({
  /**
   * For input too long for every model of the tier. When unset (or when this
   * model's window does not fit either), the cheapest fleet model whose window fits.
   */
  contextWindow: z.string().min(1).optional(),
  /** Asked once more when an answer stops with `guardrail_intervened` or `content_filtered`. Unset: no retry. */
  contentPolicy: z.string().min(1).optional(),
});

export type FallbacksConfig = z.infer<typeof fallbacksSchema>;

/** Problems with `fallbacks`: each model it names must be listed in a tier. */
export function checkFallbackReferences(fleet: {
  tiers: readonly { models: readonly { id: string }[] }[];
  fallbacks: FallbacksConfig;
}): ReferenceProblem[] {
  const known = new Set(fleet.tiers.flatMap((tier) => tier.models.map((model) => model.id)));
  const problems: ReferenceProblem[] = [];
  for (const key of ['contextWindow', 'contentPolicy'] as const) {
    const id = fleet.fallbacks[key];
    if (id !== undefined && !known.has(id)) {
      problems.push({ path: ['fallbacks', key], message: `model "${id}" is not in any tier; expected one of ${[...known].join(', ')}` });
    }
  }
  return problems;
}
