import type { Extractor } from '../../core/confidence/extract-answer.js';
import { measureJob } from '../../core/experiments/measure-job.js';
import { CANCEL_REASON } from '../cancel-job.js';
import type { JobObserver } from '../job-observer.js';
import type { ExperimentStore } from './experiment-store.js';

export interface ExperimentObserverDeps {
  store: ExperimentStore;
  /** The golden-answer extractor an experiment sets, by experiment name. */
  extractorOf?: (experiment: string) => Extractor | undefined;
}

/**
 * Records each finished job of an experiment under its variant: completed
 * or failed, cost, escalation, enqueue-to-finish latency and, where the job
 * has a golden answer (`metadata.golden`), whether it answered it.
 */
export function createExperimentObserver(deps: ExperimentObserverDeps): JobObserver {
  return {
    name: 'experiments',
    async finished(job) {
      const { data, outcome } = job;
      // A cancelled job measures nothing about its variant: it stays among the pending, as one cancelled while queued does.
      if (data.experiment === undefined || job.failedReason === CANCEL_REASON) return;
      const measurement = measureJob(
        {
          state: job.state,
          strategy: data.strategy,
          attempts: outcome?.attempts ?? data.attempts,
          tiers: outcome?.tiers,
          answerText: outcome?.answer.text,
          metadata: data.metadata,
          enqueuedAt: data.enqueuedAt,
          finishedAt: job.finishedAt,
        },
        deps.extractorOf?.(data.experiment.name),
      );
      await deps.store.recordFinished({ name: data.experiment.name, variant: data.experiment.variant }, measurement);
    },
  };
}
