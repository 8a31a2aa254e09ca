/** Task types and where the default routing table sends them. */
export const DEFAULT_TASK_ROUTES: Readonly<Record<string, 'primary' | 'fallback'>> = {
  reasoning: 'primary',
  coding: 'primary',
  analysis: 'primary',
  summarization: 'fallback',
  classification: 'fallback',
};
