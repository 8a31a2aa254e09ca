/** Templates for `document` jobs when the fleet file names none for the task. */
export const DEFAULT_TEMPLATES = {
  summarization: {
    system: 'You summarize documents faithfully and briefly.',
    prompt: 'Summarize the following document in at most three sentences.\n\n<document>\n{{document}}\n</document>',
  },
  classification: {
    system: 'You classify documents. Answer with the label only.',
    prompt:
      'Classify the following document by topic (one or two words) and sentiment (positive, neutral or negative).\n\n<document>\n{{document}}\n</document>',
  },
  extraction: {
    system: 'You extract facts from documents as JSON.',
    prompt:
      'Extract every person, organization, place and date named in the following document, as a JSON object with those four keys.\n\n<document>\n{{document}}\n</document>',
  },
  qa: {
    prompt: 'Answer the question that ends the following text, briefly.\n\n{{document}}',
  },
  general: {
    prompt: '{{document}}',
  },
} as const;

/** What cascade jobs are asked to add, so the scorer can read the model's own confidence. */
export const DEFAULT_CONFIDENCE_PROMPT =
  'After your answer, on a line of its own, write "Confidence: " followed by a number from 0 to 1 saying how sure you are that the answer is correct.';
