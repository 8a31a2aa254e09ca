import { estimateTokens } from './estimate-tokens.js';
import type { ModelRequest } from './model-request.js';

/** What an image costs in input tokens, roughly, as Bedrock bills it. */
export const TOKENS_PER_IMAGE = 1_600;

/** Plain-text document formats: about four bytes a token, as text. */
const TEXT_DOCUMENTS = new Set(['txt', 'md', 'csv', 'html']);
/** Bytes per token of a binary document (pdf, docx, xlsx…): its text is a fraction of its compressed bytes. A rough figure. */
export const BINARY_DOCUMENT_BYTES_PER_TOKEN = 8;

/** A `document` block's tokens, from its size and format; undefined when the block is not a document with bytes. */
function documentTokens(block: object): number | undefined {
  const document = (block as { document?: unknown }).document as { format?: unknown; source?: { bytes?: unknown } } | undefined;
  const bytes = document?.source?.bytes;
  let size: number;
  if (bytes instanceof Uint8Array) size = bytes.byteLength;
  else if (typeof bytes === 'string') size = Math.floor((bytes.length * 3) / 4); // base64 when it travelled as JSON
  else return undefined;
  const perToken = TEXT_DOCUMENTS.has(String(document?.format)) ? 4 : BINARY_DOCUMENT_BYTES_PER_TOKEN;
  return Math.ceil(size / perToken);
}

/**
 * The input tokens a request will likely use: its system prompts and the text
 * of every message (about four characters a token), plus a flat amount per
 * image and, per document, its size over bytes per token (4 for text
 * formats, 8 for binary ones). Tool definitions and other pass-through
 * blocks count by their JSON length. An estimate for window checks; the
 * model's own count is billed.
 */
export function estimateRequestTokens(request: Pick<ModelRequest, 'messages' | 'system' | 'toolConfig'>): number {
  const parts: string[] = [...(request.system ?? [])];
  let images = 0;
  let documents = 0;
  for (const message of request.messages) {
    for (const block of message.content) {
      if ('text' in block && typeof block.text === 'string') parts.push(block.text);
      else if ('image' in block) images += 1;
      else {
        const tokens = documentTokens(block);
        if (tokens === undefined) parts.push(JSON.stringify(block));
        else documents += tokens;
      }
    }
  }
  if (request.toolConfig !== undefined) parts.push(JSON.stringify(request.toolConfig));
  return estimateTokens(parts.join('\n')) + images * TOKENS_PER_IMAGE + documents;
}
