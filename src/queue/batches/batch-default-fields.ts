/** Job fields a batch may set for every document that names none (CLI flags, API query parameters). */
export const BATCH_DEFAULT_FIELDS = ['task', 'strategy', 'flow', 'tier', 'model', 'template'] as const;

export type BatchDefaultField = (typeof BATCH_DEFAULT_FIELDS)[number];
