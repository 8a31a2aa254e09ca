import type { FleetConfig } from '../config/fleet-schema.js';
import type { RenderedRequest } from '../core/job/render-request.js';
import { modelFamily } from '../core/model-family.js';
import type { CallRequest, TierCallInput } from '../resilience/call-tier-models.js';
import type { TierJobData } from './tier-job-data.js';

const toCallRequest = (rendered: RenderedRequest): CallRequest => ({
  messages: rendered.messages,
  system: rendered.system,
  ...(rendered.inference === undefined ? {} : { inference: rendered.inference }),
});

/**
 * What the tier processor adds to callTierModels' input for the call
 * features: every fleet model (for a context-window fallback beyond the
 * tier), the fleet's `fallbacks`, and each model's family rendering of the
 * job when its template has variants. See docs/call-features.md.
 */
export function tierCallExtras(
  fleet: Pick<FleetConfig, 'tiers' | 'fallbacks'>,
  data: Pick<TierJobData, 'requestByFamily'>,
): Pick<TierCallInput, 'fleetModels' | 'fallbacks' | 'requestFor'> {
  const models = fleet.tiers.flatMap((tier) => tier.models);
  const fleetModels = models.filter((model, i) => models.findIndex((m) => m.id === model.id) === i);
  const byFamily = data.requestByFamily;
  if (byFamily === undefined) return { fleetModels, fallbacks: fleet.fallbacks };
  const requestFor = (modelId: string): CallRequest | undefined => {
    const family = modelFamily(modelId, fleetModels.find((m) => m.id === modelId)?.family);
    const rendered = family === undefined ? undefined : byFamily[family];
    return rendered === undefined ? undefined : toCallRequest(rendered);
  };
  return { fleetModels, fallbacks: fleet.fallbacks, requestFor };
}
