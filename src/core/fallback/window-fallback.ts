import type { Price } from '../price.js';

/** What the window fallback needs to know of a fleet model. */
export interface WindowModel {
  id: string;
  contextWindow: number;
  price: Price;
}

export type WindowFallbackChoice =
  | { model: string; reason: string }
  | { model: undefined; reason: string; largestWindow: number; largestModel: string | undefined };

export interface WindowFallbackInput {
  /** Every model of the fleet, in fleet order. */
  models: readonly WindowModel[];
  /** `fallbacks.contextWindow` from the fleet file. */
  configured?: string | undefined;
  /** Models already tried or skipped for this request. */
  exclude: ReadonlySet<string>;
  /** Estimated input tokens of the request as it would be sent to a model. */
  tokensFor: (modelId: string) => number;
}

/**
 * A model with a larger window for a request no model of its tier can take:
 * the configured fallback when its window fits, else the fitting model with
 * the lowest input price (the input is what is long), then output price,
 * then fleet order. When nothing fits, says how large the largest window is.
 */
export function chooseWindowFallback(input: WindowFallbackInput): WindowFallbackChoice {
  const { models, configured, exclude, tokensFor } = input;
  const fits = (model: WindowModel): boolean => tokensFor(model.id) <= model.contextWindow;
  const open = models.filter((model) => !exclude.has(model.id));

  const chosen = configured === undefined ? undefined : open.find((model) => model.id === configured);
  if (chosen !== undefined && fits(chosen)) {
    return { model: chosen.id, reason: `configured context-window fallback (window ${String(chosen.contextWindow)})` };
  }
  const cheapest = open
    .map((model, order) => ({ model, order }))
    .filter(({ model }) => fits(model))
    .sort(
      (a, b) =>
        a.model.price.inputPer1k - b.model.price.inputPer1k ||
        a.model.price.outputPer1k - b.model.price.outputPer1k ||
        a.order - b.order,
    )[0]?.model;
  if (cheapest !== undefined) {
    const why = configured === undefined ? '' : `; the configured ${configured} ${chosen === undefined ? 'was tried already or is not a fleet model' : 'does not fit'}`;
    return { model: cheapest.id, reason: `cheapest fleet model whose window fits (window ${String(cheapest.contextWindow)})${why}` };
  }
  let largest: WindowModel | undefined;
  for (const model of models) if (largest === undefined || model.contextWindow > largest.contextWindow) largest = model;
  return {
    model: undefined,
    reason: 'no fleet model has a window that fits',
    largestWindow: largest?.contextWindow ?? 0,
    largestModel: largest?.id,
  };
}
