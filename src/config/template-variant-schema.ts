import { z } from 'zod';

/** A template's wording for one model family (`templates.<name>.variants.<family>`). */
export const templateVariantSchema = z.strictObject({
  /** Replaces the template's system prompt for this family; the template's own is kept when unset. */
  system: z.string().optional(),
  /** The user turn; `{{document}}` is replaced by the job's document. */
  prompt: z.string().includes('{{document}}', { message: 'expected the placeholder {{document}}' }),
});

/** Variants by model family (`anthropic`, `meta`, `amazon`, …; see src/core/model-family.ts). */
export const templateVariantsSchema = z
  .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, { message: 'expected a model family like "anthropic"' }), templateVariantSchema)
  .optional();
