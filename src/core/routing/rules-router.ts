import type { Router } from './router.js';
import { compileRule, type RoutingRule } from './routing-rule.js';
import { tierOfModel, type RoutingFleet } from './routing-fleet.js';

export interface RulesRouterOptions {
  /** In order; the first rule that matches wins. */
  rules: readonly RoutingRule[];
  /** To find the tier of a rule that names only a model. */
  fleet: RoutingFleet;
}

/**
 * Routes by the first matching rule of an ordered list of declarative
 * conditions on task, tags, metadata and content; no opinion when none
 * matches. The reason names the rule and what matched. Rules are compiled
 * once; a rule naming a model that is in no tier throws here (the fleet's
 * reference check refuses it first).
 */
export function createRulesRouter({ rules, fleet }: RulesRouterOptions): Router {
  const compiled = rules.map((rule, i) => {
    const tier = rule.then.tier ?? (rule.then.model === undefined ? undefined : tierOfModel(fleet, rule.then.model));
    if (tier === undefined) {
      throw new Error(`routing rule ${rule.name ?? `#${i + 1}`}: expected "then" to name a tier or a model of a tier`);
    }
    const label = rule.name === undefined ? `rule #${i + 1}` : `rule "${rule.name}"`;
    const target = rule.then.model === undefined ? `tier ${tier}` : `${rule.then.model} on tier ${tier}`;
    return { match: compileRule(rule.when), tier, model: rule.then.model, label, target };
  });
  return (job) => {
    for (const rule of compiled) {
      const matched = rule.match(job);
      if (matched === undefined) continue;
      const why = matched.length === 0 ? 'matches every job' : `matched ${matched.join(', ')}`;
      return {
        tier: rule.tier,
        ...(rule.model === undefined ? {} : { model: rule.model }),
        reason: `${rule.label} ${why}: ${rule.target}`,
      };
    }
    return undefined;
  };
}
