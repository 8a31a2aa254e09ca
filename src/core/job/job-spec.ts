import { z } from 'zod';

export const STRATEGIES = ['route', 'cascade', 'ensemble', 'pipeline'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** BullMQ job ids may not be integers and may not contain ':'. */
const jobId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, {
    message: 'expected 1-128 letters, digits, "_", "." or "-", starting with a letter or digit',
  })
  .refine((id) => !/^\d+$/.test(id), { message: 'must not be only digits (BullMQ reserves those)' });

/** A job's own id: the fleet names the jobs it adds for it `<id>--…` (a flow's members and steps, an escalation), so "--" is its. */
const clientJobId = jobId.refine((id) => !id.includes('--'), {
  message: 'must not contain "--" (the fleet names the jobs it adds for a job "<id>--…")',
});

const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/i, {
  message: 'expected 1-64 letters, digits, "_", "." or "-"',
});

const textBlock = z.strictObject({ text: z.string().min(1, { message: 'a text block may not be empty' }) });
const imageBlock = z.strictObject({
  image: z.strictObject({
    format: z.enum(['png', 'jpeg', 'gif', 'webp']),
    source: z.strictObject({ bytes: z.string().min(1) }),
  }),
});
/** toolUse, toolResult, document, cachePoint...: one key, passed through. */
const passThroughBlock = z
  .record(z.string(), z.unknown())
  .refine((block) => Object.keys(block).length === 1, { message: 'a content block has exactly one key' })
  // text and image blocks must pass their own checks above, not slip through here.
  .refine((block) => !('text' in block) && !('image' in block), {
    message: 'expected a text block with non-empty text, or an image block with format png, jpeg, gif or webp',
  });

export const messageSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.array(z.union([textBlock, imageBlock, passThroughBlock])).min(1, {
    message: 'a message needs at least one content block',
  }),
});

export const inferenceSchema = z.strictObject({
  maxTokens: z.number().int().min(1).max(200_000).optional(),
  temperature: z.number().min(0).max(1).optional(),
  topP: z.number().min(0).max(1).optional(),
  stopSequences: z.array(z.string().min(1)).max(4).optional(),
});

export const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }),
  /** Signs the delivery (HMAC-SHA256); the fleet's FLEET_WEBHOOK_SECRET when unset. */
  secret: z.string().min(16, { message: 'expected a secret of at least 16 characters' }).optional(),
});

const nonBlank = (what: string) => z.string().refine((s) => s.trim() !== '', { message: `${what} is empty` });

/**
 * What a producer (HTTP, CLI, library) submits. Exactly one input:
 * `messages` (a Converse conversation), `prompt`, or `document` rendered
 * through the task's template (or the one named by `template`).
 */
export const jobSpecSchema = z
  .strictObject({
    id: clientJobId.optional(),
    tenant: name.default('default'),
    task: name.default('general'),
    tags: z.record(z.string().max(64), z.string().max(256)).default({}),
    metadata: z.record(z.string().max(64), z.union([z.string(), z.number(), z.boolean()])).default({}),
    strategy: z.enum(STRATEGIES).default('route'),
    messages: z.array(messageSchema).min(1, { message: 'expected at least one message' }).optional(),
    prompt: nonBlank('the prompt').optional(),
    document: nonBlank('the document').optional(),
    template: name.optional(),
    system: z.union([nonBlank('the system prompt'), z.array(nonBlank('a system prompt'))]).optional(),
    inference: inferenceSchema.optional(),
    /** Call ConverseStream, which also measures time to the first token. */
    stream: z.boolean().optional(),
    tier: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    /** Called once when the job finishes (signed; retried with backoff). */
    webhook: webhookSchema.optional(),
    /** The batch this job belongs to; set by the batch API, not by clients of single jobs. */
    batchId: jobId.optional(),
    /** BullMQ priority: 1 is served first; unset jobs come before any prioritized one. */
    priority: z.number().int().min(1).max(2_097_152).optional(),
    /** For strategy `ensemble` or `pipeline`: the flow's name in the fleet file (docs/flows.md). */
    flow: name.optional(),
    /** Continues this conversation of the tenant: its history is sent first, and the answer is added to it. */
    conversation: jobId.optional(),
  })
  .superRefine((spec, ctx) => {
    const given = (['messages', 'prompt', 'document'] as const).filter((k) => spec[k] !== undefined);
    if (given.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['input'], message: 'expected one of "messages", "prompt" or "document"' });
    } else if (given.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [given[1] ?? 'input'],
        message: `expected only one of "messages", "prompt" or "document", got ${given.join(' and ')}`,
      });
    }
    if (spec.template !== undefined && spec.document === undefined) {
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'a template applies only to a "document"' });
    }
    if (spec.conversation !== undefined && spec.messages !== undefined && spec.messages[0]?.role !== 'user') {
      ctx.addIssue({ code: 'custom', path: ['messages', 0, 'role'], message: 'in a conversation, the first message must be from the user' });
    }
    const last = spec.messages?.at(-1);
    if (last !== undefined && last.role !== 'user') {
      ctx.addIssue({
        code: 'custom',
        path: ['messages', spec.messages!.length - 1, 'role'],
        message: 'the last message must be from the user',
      });
    }
  });

/** A job as a producer writes it. */
export type JobSpecInput = z.input<typeof jobSpecSchema>;
/** A job after validation and defaults. */
export type JobSpec = z.infer<typeof jobSpecSchema>;
