import type { FleetShape } from '../fleet-shape.js';
import { modelFamily } from '../model-family.js';
import type { JobSpec } from './job-spec.js';
import { renderRequest, type RenderedRequest } from './render-request.js';

/** A template's wording for one model family. */
export interface TemplateVariant {
  /** Replaces the template's system prompt; the template's own is kept when unset. */
  system?: string | undefined;
  prompt: string;
}

/** The parts of a fleet that family rendering reads; the config layer's FleetConfig satisfies it. */
export type VariantFleet = FleetShape & {
  tiers: readonly { models: readonly { id: string; family?: string | undefined }[] }[];
  templates: Readonly<Record<string, { system?: string | undefined; prompt: string; variants?: Readonly<Record<string, TemplateVariant>> | undefined }>>;
};

/** The family of every model of the fleet. */
export function fleetFamilies(fleet: { tiers: readonly { models: readonly { id: string; family?: string | undefined }[] }[] }): Set<string> {
  const families = new Set<string>();
  for (const tier of fleet.tiers) {
    for (const model of tier.models) {
      const family = modelFamily(model.id, model.family);
      if (family !== undefined) families.add(family);
    }
  }
  return families;
}

/**
 * The job rendered once per model family its template has a variant for (and
 * the fleet has a model of), keyed by family; undefined when the job is not a
 * document job or its template has no variant that applies. Models of other
 * families get the default rendering.
 */
export function renderRequestsByFamily(spec: JobSpec, fleet: VariantFleet): Record<string, RenderedRequest> | undefined {
  if (spec.document === undefined) return undefined;
  const name = spec.template ?? spec.task;
  const template = fleet.templates[name];
  if (template?.variants === undefined) return undefined;
  const present = fleetFamilies(fleet);
  const byFamily: Record<string, RenderedRequest> = {};
  for (const [family, variant] of Object.entries(template.variants)) {
    const key = family.toLowerCase();
    if (!present.has(key)) continue;
    const wording = { system: variant.system ?? template.system, prompt: variant.prompt };
    byFamily[key] = renderRequest(spec, { ...fleet, templates: { ...fleet.templates, [name]: wording } });
  }
  return Object.keys(byFamily).length === 0 ? undefined : byFamily;
}

/** For the producer: `{ requestByFamily }` when the job has family renderings, `{}` otherwise. */
export function familyRequests(spec: JobSpec, fleet: VariantFleet): { requestByFamily?: Record<string, RenderedRequest> } {
  const byFamily = renderRequestsByFamily(spec, fleet);
  return byFamily === undefined ? {} : { requestByFamily: byFamily };
}
