import type { Extractor } from '../confidence/extract-answer.js';
import type { InferenceSettings } from '../model-request.js';
import type { Strategy } from '../job/job-spec.js';

/** The job fields a variant may set; a job that sets one itself keeps its own. */
export interface VariantSet {
  strategy?: Strategy | undefined;
  tier?: string | undefined;
  model?: string | undefined;
  template?: string | undefined;
  system?: string | string[] | undefined;
  inference?: InferenceSettings | undefined;
  stream?: boolean | undefined;
}

export interface VariantShape {
  name: string;
  weight: number;
  set: VariantSet;
}

/** What sticks a job to a variant: its tenant, its job id, or one of its metadata values. */
export type StickyBy = 'tenant' | 'job' | { metadata: string };

/**
 * The parts of an experiment the core reads. The config layer's
 * ExperimentConfig satisfies it.
 */
export interface ExperimentShape {
  name: string;
  when: { task?: string | readonly string[] | undefined; tags?: Readonly<Record<string, string>> | undefined };
  sticky: StickyBy;
  variants: readonly VariantShape[];
  active: boolean;
  golden?: { extractor: Extractor } | undefined;
}

/** Which experiment and variant a job was given. */
export interface ExperimentRef {
  name: string;
  variant: string;
}
