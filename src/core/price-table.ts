import type { Price, PriceLookup } from './price.js';

/** `arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0` → `amazon.nova-pro-v1:0` */
export function baseModelId(modelId: string): string {
  const match = /^arn:aws[\w-]*:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)\/(.+)$/.exec(modelId);
  return match?.[1] ?? modelId;
}

/**
 * Prices by model id. A foundation-model or inference-profile ARN is priced
 * as the model it names, and a cross-region profile id (`us.…`, `eu.…`) as
 * its base model when only that is listed.
 */
export function priceTable(models: readonly { id: string; price: Price }[]): PriceLookup {
  const byId = new Map(models.map((m) => [m.id, m.price]));
  return (modelId) => {
    const id = baseModelId(modelId);
    return byId.get(modelId) ?? byId.get(id) ?? byId.get(id.replace(/^(us|eu|apac|us-gov|global)\./, ''));
  };
}
