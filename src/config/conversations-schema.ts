import { z } from 'zod';

const positiveInt = z.number().int().positive();

/**
 * How conversation histories are kept (`conversations:` in the fleet file).
 * A history is dropped `ttlSeconds` after its last exchange; the oldest
 * exchanges go first once there are more than `maxTurns`, or more than
 * `maxChars` characters of text.
 */
export const conversationsSchema = z.strictObject({
  /** Seconds a conversation is kept after its last exchange. */
  ttlSeconds: positiveInt.default(7 * 86_400),
  /** Exchanges (a job's user turn and its answer) kept, newest last. */
  maxTurns: positiveInt.max(1_000).default(20),
  /** Characters of text kept over all exchanges; unlimited when unset. */
  maxChars: positiveInt.optional(),
});

export type ConversationsConfig = z.infer<typeof conversationsSchema>;
