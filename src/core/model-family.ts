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

/**
 * Models whose Converse API takes no `system` field: Bedrock answers a
 * request that has one with ValidationException "This model doesn't support
 * system messages." From the Converse API's "Supported models and model
 * features" table: Mistral AI Instruct (Mistral 7B, Mixtral 8x7B; Mistral
 * Large and Small do take one), Amazon Titan Text, Cohere Command and
 * Command Light (Command R and R+ do take one). Matched against the model id
 * with any ARN and region prefix removed.
 */
const NO_SYSTEM_PROMPT: readonly RegExp[] = [
  /^mistral\.(?:mistral-7b|mixtral-8x7b)-instruct/,
  /^amazon\.titan-text/,
  /^cohere\.command-(?:light-)?text/,
];

/**
 * Whether Converse accepts `system` for this model. Ids that name no known
 * model (prompt-router or application-profile ARNs) are assumed to.
 */
export function takesSystemPrompt(modelId: string): boolean {
  const id = baseModelId(modelId).replace(REGION_PREFIX, '').toLowerCase();
  return !NO_SYSTEM_PROMPT.some((pattern) => pattern.test(id));
}
