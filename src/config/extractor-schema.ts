import { z } from 'zod';

/** Whether a string is a valid JavaScript regular expression. */
export function compilesAsRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** How an answer is reduced to something comparable (see src/core/confidence/extract-answer.ts). */
export const extractorSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('choice'),
    /** Letters a choice may take; `ABCDE` when unset. */
    letters: z.string().regex(/^[A-Z]+$/, { message: 'expected capital letters, like "ABCD"' }).optional(),
  }),
  z.strictObject({ kind: z.literal('number') }),
  z.strictObject({ kind: z.literal('exact') }),
  z.strictObject({
    kind: z.literal('regex'),
    pattern: z.string().min(1).refine(compilesAsRegex, { message: 'expected a valid regular expression' }),
    flags: z.string().regex(/^[imsu]*$/, { message: 'expected flags among i, m, s, u' }).optional(),
  }),
]);
