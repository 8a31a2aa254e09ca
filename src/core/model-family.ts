import { baseModelId } from './price-table.js';

/** Cross-region inference-profile prefixes: `us.anthropic.…` is an anthropic model. */
const REGION_PREFIX = /^(us|eu|apac|us-gov|global|jp|au|ca)\./;

/**
 * A model's family (its vendor, in lowercase): the configured one when given,
 * else derived from the id. A foundation-model or inference-profile ARN is
 * read as the model it names; a region prefix is dropped; the family is what
 * comes before the first dot (`anthropic`, `meta`, `amazon`, `mistral`,
 * `cohere`, `ai21`, …). Undefined for ids that name no vendor (a prompt
 * router or application profile ARN): configure `family` for those.
 */
export function modelFamily(modelId: string, configured?: string): string | undefined {
  if (configured !== undefined && configured !== '') return configured.toLowerCase();
  const id = baseModelId(modelId).replace(REGION_PREFIX, '');
  if (id.startsWith('arn:')) return undefined;
  const dot = id.indexOf('.');
  if (dot <= 0) return undefined;
  return id.slice(0, dot).toLowerCase();
}
