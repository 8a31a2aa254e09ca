import type { FleetConfig } from './fleet-schema.js';
import type { ReferenceProblem } from './check-fleet-references.js';

/** Cascade policies name real tiers (climbing in tier order) and real models. */
export function checkCascadePolicies(fleet: FleetConfig): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const tierNames = fleet.tiers.map((t) => t.name);
  const tierList = tierNames.join(', ');
  const modelIds = new Set(fleet.tiers.flatMap((t) => t.models.map((m) => m.id)));
  fleet.cascade.policies.forEach((policy, pi) => {
    const at = ['cascade', 'policies', pi];
    (policy.path ?? []).forEach((name, i) => {
      const rank = tierNames.indexOf(name);
      if (rank < 0) problems.push({ path: [...at, 'path', i], message: `no tier is named "${name}"; expected one of ${tierList}` });
      else if (i > 0 && rank <= tierNames.indexOf(policy.path?.[i - 1] ?? '')) {
        problems.push({ path: [...at, 'path', i], message: `tier "${name}" comes before "${policy.path?.[i - 1]}" in "tiers"; a cascade path climbs in tier order` });
      }
    });
    for (const key of ['votes', 'thresholds'] as const) {
      for (const name of Object.keys(policy[key] ?? {})) {
        if (!tierNames.includes(name)) problems.push({ path: [...at, key, name], message: `no tier is named "${name}"; expected one of ${tierList}` });
      }
    }
    for (const [name, voting] of Object.entries(policy.votes ?? {})) {
      const tier = fleet.tiers.find((t) => t.name === name);
      (voting.models ?? []).forEach((id, i) => {
        if (tier !== undefined && !tier.models.some((m) => m.id === id)) {
          problems.push({ path: [...at, 'votes', name, 'models', i], message: `model "${id}" is not in tier "${name}"` });
        }
      });
      const size = voting.models?.length ?? tier?.models.length ?? Infinity;
      if (voting.voters > size) {
        problems.push({ path: [...at, 'votes', name, 'voters'], message: `tier "${name}" has ${size} model${size === 1 ? '' : 's'}, so it cannot give ${voting.voters} votes` });
      }
    }
    if (policy.judge !== undefined && !modelIds.has(policy.judge.model)) {
      problems.push({ path: [...at, 'judge', 'model'], message: `model "${policy.judge.model}" is not in any tier` });
    }
  });
  return problems;
}
