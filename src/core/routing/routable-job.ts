import { estimateTokens } from '../estimate-tokens.js';
import type { JobSpec } from '../job/job-spec.js';
import type { RenderedRequest } from '../job/render-request.js';

/** What the routers read of a job. */
export interface RoutableJob {
  task: string;
  tenant: string;
  tags: Readonly<Record<string, string>>;
  metadata: Readonly<Record<string, string | number | boolean>>;
  /** The text of the job's messages, for content conditions (system prompts aside). */
  text: string;
  /** Characters of `text`. */
  inputChars: number;
  /** Estimated input tokens of the whole request, system prompts included. */
  inputTokens: number;
  hasImage: boolean;
  /** Output tokens the cost estimate assumes. */
  expectedOutputTokens: number;
  /** The lowest model quality rating, in [0, 1], the job accepts. */
  minQuality?: number | undefined;
  /** The highest typical latency, in ms, the job accepts. */
  maxLatencyMs?: number | undefined;
  /** A tier the job asked for (or a layered router chose): routers pick within it. */
  tier?: string | undefined;
  /** A model the job asked for. */
  model?: string | undefined;
}

/** Output tokens assumed when the job sets no hint, capped by its `inference.maxTokens`. */
export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 256;

/**
 * Routing hints a job may carry in its metadata, as numbers:
 * `minQuality` (0–1), `maxLatencyMs` (> 0) and `expectedOutputTokens` (> 0).
 * Values of another type or out of range are not hints.
 */
export const ROUTING_HINTS = {
  minQuality: (v: number) => v >= 0 && v <= 1,
  maxLatencyMs: (v: number) => v > 0,
  expectedOutputTokens: (v: number) => v > 0,
} as const;

function hint(metadata: JobSpec['metadata'], key: keyof typeof ROUTING_HINTS): number | undefined {
  const value = metadata[key];
  return typeof value === 'number' && Number.isFinite(value) && ROUTING_HINTS[key](value) ? value : undefined;
}

/**
 * What the routers read of a validated job and its rendered request: task,
 * tags, metadata, content, size, images, the explicit tier or model, and
 * the routing hints from its metadata. Pure.
 */
export function toRoutableJob(
  spec: Pick<JobSpec, 'task' | 'tenant' | 'tags' | 'metadata' | 'inference' | 'tier' | 'model'>,
  rendered: RenderedRequest,
): RoutableJob {
  const texts: string[] = [];
  let hasImage = false;
  for (const message of rendered.messages) {
    for (const block of message.content) {
      if ('text' in block && typeof block.text === 'string') texts.push(block.text);
      else if ('image' in block) hasImage = true;
    }
  }
  const text = texts.join('\n');
  const maxTokens = spec.inference?.maxTokens;
  const expected = hint(spec.metadata, 'expectedOutputTokens') ?? DEFAULT_EXPECTED_OUTPUT_TOKENS;
  return {
    task: spec.task,
    tenant: spec.tenant,
    tags: spec.tags,
    metadata: spec.metadata,
    text,
    inputChars: text.length,
    inputTokens: estimateTokens([...rendered.system, text].join('\n')),
    hasImage,
    expectedOutputTokens: Math.round(maxTokens === undefined ? expected : Math.min(expected, maxTokens)),
    minQuality: hint(spec.metadata, 'minQuality'),
    maxLatencyMs: hint(spec.metadata, 'maxLatencyMs'),
    tier: spec.tier,
    model: spec.model,
  };
}
