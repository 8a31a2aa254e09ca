import { ModelCallError } from '../core/model-call-error.js';

/** Content blocks whose `source` may carry the file itself as `bytes`. */
const MEDIA_KEYS = ['image', 'document', 'video'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/**
 * Base64 text (standard or URL-safe alphabet, padding optional, whitespace
 * ignored) → its bytes; undefined when the text is not base64. Buffer.from
 * alone would skip the characters it does not know and decode the rest.
 */
export function base64Bytes(text: string): Buffer | undefined {
  const unpadded = text.replace(/\s+/g, '').replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  return Buffer.from(unpadded, 'base64');
}

function withDecodedSource(media: Record<string, unknown>, at: string, modelId: string): Record<string, unknown> {
  const { source } = media;
  // Bytes already given as bytes, and sources without bytes (s3Location, text, ...) go as they are.
  if (!isRecord(source) || typeof source.bytes !== 'string') return media;
  const bytes = base64Bytes(source.bytes);
  if (bytes === undefined) {
    throw new ModelCallError({
      kind: 'invalid-request',
      code: 'InvalidBlobBytes',
      modelId,
      message: `${at}.source.bytes is not base64 text: give the file's bytes base64-encoded`,
    });
  }
  return { ...media, source: { ...source, bytes } };
}

/**
 * A content block with every blob's `source.bytes` turned from base64 text
 * (as jobs carry it in JSON) into bytes, in image, document and video
 * blocks and in those nested in `toolResult.content`. The SDK base64-encodes
 * blobs itself: handed the text, it would encode it a second time and the
 * model would read the base64 text as the file. Throws `invalid-request`
 * for bytes that are not base64.
 */
export function decodeBlobSources<T>(block: T, at: string, modelId: string): T {
  if (!isRecord(block)) return block;
  let out: Record<string, unknown> | undefined;
  for (const key of MEDIA_KEYS) {
    const media = block[key];
    if (!isRecord(media)) continue;
    const decoded = withDecodedSource(media, `${at}.${key}`, modelId);
    if (decoded !== media) (out ??= { ...block })[key] = decoded;
  }
  const { toolResult } = block;
  if (isRecord(toolResult) && Array.isArray(toolResult.content)) {
    const given: unknown[] = toolResult.content;
    const content = given.map((inner, i) => decodeBlobSources(inner, `${at}.toolResult.content.${i}`, modelId));
    if (content.some((inner, i) => inner !== given[i])) (out ??= { ...block }).toolResult = { ...toolResult, content };
  }
  return (out ?? block) as T;
}
