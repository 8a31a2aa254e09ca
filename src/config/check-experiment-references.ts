import type { FleetConfig } from './fleet-schema.js';
import type { ReferenceProblem } from './check-fleet-references.js';

/** Every tier, model and template an experiment's variants set exists, and a model lies in the variant's tier. */
export function checkExperimentReferences(fleet: Pick<FleetConfig, 'tiers' | 'templates' | 'experiments'>): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const tierNames = fleet.tiers.map((t) => t.name);
  fleet.experiments.forEach((experiment, ei) => {
    experiment.variants.forEach((variant, vi) => {
      const at = ['experiments', ei, 'variants', vi, 'set'];
      const { tier, model, template } = variant.set;
      const tierConfig = fleet.tiers.find((t) => t.name === tier);
      if (tier !== undefined && tierConfig === undefined) {
        problems.push({ path: [...at, 'tier'], message: `no tier is named "${tier}"; expected one of ${tierNames.join(', ')}` });
      }
      if (model !== undefined) {
        const home = fleet.tiers.filter((t) => t.models.some((m) => m.id === model));
        if (home.length === 0) {
          problems.push({ path: [...at, 'model'], message: `model "${model}" is not in any tier of the fleet` });
        } else if (tierConfig !== undefined && !home.includes(tierConfig)) {
          problems.push({ path: [...at, 'model'], message: `model "${model}" is not in tier "${tier}"` });
        }
      }
      if (template !== undefined && fleet.templates[template] === undefined) {
        problems.push({
          path: [...at, 'template'],
          message: `no template "${template}"; expected one of ${Object.keys(fleet.templates).join(', ')}`,
        });
      }
    });
  });
  return problems;
}
