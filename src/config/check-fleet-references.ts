import { checkCascadePolicies } from './check-cascade-policies.js';
import { checkFallbackReferences } from './fallbacks-schema.js';
import { checkExperimentReferences } from './check-experiment-references.js';
import { checkFlowReferences } from './check-flow-references.js';
import { checkRouterReferences } from './check-router-references.js';
import type { FleetConfig } from './fleet-schema.js';

export interface ReferenceProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Checks what a schema alone cannot: names are unique, and every tier or
 * model the file refers to exists.
 */
export function checkFleetReferences(fleet: FleetConfig): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const tierNames = fleet.tiers.map((t) => t.name);
  const modelIds = new Set<string>();

  fleet.tiers.forEach((tier, ti) => {
    if (tierNames.indexOf(tier.name) !== ti) {
      problems.push({ path: ['tiers', ti, 'name'], message: `tier name "${tier.name}" is used twice; expected unique names` });
    }
    const inTier = new Set<string>();
    tier.models.forEach((model, mi) => {
      if (inTier.has(model.id)) {
        problems.push({
          path: ['tiers', ti, 'models', mi, 'id'],
          message: `model "${model.id}" is listed twice in tier "${tier.name}"`,
        });
      }
      inTier.add(model.id);
      modelIds.add(model.id);
    });
  });

  for (const name of Object.keys(fleet.cascade.thresholds)) {
    if (!tierNames.includes(name)) {
      problems.push({
        path: ['cascade', 'thresholds', name],
        message: `no tier is named "${name}"; expected one of ${tierNames.join(', ')}`,
      });
    }
  }

  const path = fleet.cascade.path ?? [];
  path.forEach((name, i) => {
    const at = tierNames.indexOf(name);
    if (at < 0) {
      problems.push({
        path: ['cascade', 'path', i],
        message: `no tier is named "${name}"; expected one of ${tierNames.join(', ')}`,
      });
    } else if (i > 0 && at <= tierNames.indexOf(path[i - 1] ?? '')) {
      problems.push({
        path: ['cascade', 'path', i],
        message: `tier "${name}" comes before "${path[i - 1]}" in "tiers"; a cascade path climbs in tier order`,
      });
    }
  });

  const known = [...modelIds].join(', ');
  for (const key of ['primary', 'fallback'] as const) {
    const id = fleet.routing[key];
    if (!modelIds.has(id)) {
      problems.push({ path: ['routing', key], message: `model "${id}" is not in any tier; expected one of ${known}` });
    }
  }
  const targets: [(string | number)[], string][] = [
    [['routing', 'default'], fleet.routing.default],
    ...Object.entries(fleet.routing.tasks).map(([task, target]): [(string | number)[], string] => [
      ['routing', 'tasks', task],
      target,
    ]),
  ];
  for (const [path, target] of targets) {
    if (target !== 'primary' && target !== 'fallback' && !modelIds.has(target)) {
      problems.push({
        path,
        message: `"${target}" is neither "primary", "fallback" nor a model of any tier; expected one of those or ${known}`,
      });
    }
  }
  (fleet.routing.rules ?? []).forEach((rule, i) => {
    const at = ['routing', 'rules', i, 'then'];
    const { tier, model } = rule.then;
    const tierConfig = fleet.tiers.find((t) => t.name === tier);
    if (tier !== undefined && tierConfig === undefined) {
      problems.push({ path: [...at, 'tier'], message: `no tier is named "${tier}"; expected one of ${tierNames.join(', ')}` });
    }
    if (model !== undefined && !modelIds.has(model)) {
      problems.push({ path: [...at, 'model'], message: `model "${model}" is not in any tier; expected one of ${known}` });
    } else if (model !== undefined && tierConfig !== undefined && !tierConfig.models.some((m) => m.id === model)) {
      problems.push({ path: [...at, 'model'], message: `model "${model}" is not in tier "${tier}"` });
    }
  });
  problems.push(...checkCascadePolicies(fleet));
  problems.push(...checkFallbackReferences(fleet));
  problems.push(...checkRouterReferences(fleet));
  problems.push(...checkExperimentReferences(fleet));
  problems.push(...checkFlowReferences(fleet));
  return problems;
}
