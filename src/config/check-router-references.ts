import type { FleetConfig } from './fleet-schema.js';

export interface RouterReferenceProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Checks what the routing schema alone cannot: the classifier's model is a
 * model of the cheapest tier (which runs the classification), and its
 * default label is one of its labels. The custom module is checked when it
 * is loaded (load-custom-router.ts).
 */
export function checkRouterReferences(fleet: FleetConfig): RouterReferenceProblem[] {
  const problems: RouterReferenceProblem[] = [];
  const classifier = fleet.routing.classifier;
  if (classifier === undefined) return problems;
  const cheapest = fleet.tiers[0];
  if (classifier.model !== undefined && cheapest !== undefined && !cheapest.models.some((m) => m.id === classifier.model)) {
    problems.push({
      path: ['routing', 'classifier', 'model'],
      message: `model "${classifier.model}" is not in tier "${cheapest.name}", the cheapest tier, which classifies; expected one of ${cheapest.models.map((m) => m.id).join(', ')}`,
    });
  }
  if (classifier.default !== undefined && !classifier.labels.includes(classifier.default)) {
    problems.push({
      path: ['routing', 'classifier', 'default'],
      message: `"${classifier.default}" is not one of the labels; expected one of ${classifier.labels.join(', ')}`,
    });
  }
  return problems;
}
