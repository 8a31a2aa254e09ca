import { estimateTokens } from './estimate-tokens.js';
import type { ModelRequest } from './model-request.js';

/** What an image costs in input tokens, roughly, as Bedrock bills it. */
export const TOKENS_PER_IMAGE = 1_600;

/**
 * The input tokens a request will likely use: its system prompts and the text
 * of every message (about four characters a token), plus a flat amount per
 * image. Tool definitions and other pass-through blocks count by their JSON
 * length. An estimate for window checks; the model's own count is billed.
 */
export function estimateRequestTokens(request: Pick<ModelRequest, 'messages' | 'system' | 'toolConfig'>): number {
  const parts: string[] = [...(request.system ?? [])];
  let images = 0;
  for (const message of request.messages) {
    for (const block of message.content) {
      if ('text' in block && typeof block.text === 'string') parts.push(block.text);
      else if ('image' in block) images += 1;
      else parts.push(JSON.stringify(block));
    }
  }
  if (request.toolConfig !== undefined) parts.push(JSON.stringify(request.toolConfig));
  return estimateTokens(parts.join('\n')) + images * TOKENS_PER_IMAGE;
}
