/** Where one ensemble member, pipeline step or fallback runs. */
export interface FlowTarget {
  tier: string;
  /** The model tried first on that tier; the tier's own order when unset. */
  model?: string;
}

export type ResolvedTarget = { ok: true; target: FlowTarget } | { ok: false; field: 'tier' | 'model'; message: string };

type Tiers = readonly { name: string; models: readonly { id: string }[] }[];

/**
 * The tier (and model) a member, step or fallback names: a model runs on the
 * tier that lists it; a tier alone runs on its own order of models. Pure.
 */
export function resolveFlowTarget(tiers: Tiers, want: { tier?: string | undefined; model?: string | undefined }): ResolvedTarget {
  const tierNames = tiers.map((t) => t.name);
  if (want.tier !== undefined && !tierNames.includes(want.tier)) {
    return { ok: false, field: 'tier', message: `no tier is named "${want.tier}"; expected one of ${tierNames.join(', ')}` };
  }
  if (want.model === undefined) {
    if (want.tier === undefined) return { ok: false, field: 'model', message: 'expected a model, a tier, or both' };
    return { ok: true, target: { tier: want.tier } };
  }
  const homes = tiers.filter((t) => t.models.some((m) => m.id === want.model));
  if (homes.length === 0) return { ok: false, field: 'model', message: `model "${want.model}" is not in any tier` };
  if (want.tier !== undefined) {
    if (!homes.some((t) => t.name === want.tier)) return { ok: false, field: 'model', message: `model "${want.model}" is not in tier "${want.tier}"` };
    return { ok: true, target: { tier: want.tier, model: want.model } };
  }
  const home = homes[0];
  if (home === undefined) return { ok: false, field: 'model', message: `model "${want.model}" is not in any tier` };
  return { ok: true, target: { tier: home.name, model: want.model } };
}

/** The same, for definitions already checked when the fleet file was loaded: throws on a bad reference. */
export function flowTarget(tiers: Tiers, want: { tier?: string | undefined; model?: string | undefined }): FlowTarget {
  const resolved = resolveFlowTarget(tiers, want);
  if (!resolved.ok) throw new Error(resolved.message);
  return resolved.target;
}

/** "small/amazon.nova-micro-v1:0", or "tier small" when the tier's order decides. */
export function describeTarget(target: FlowTarget): string {
  return target.model === undefined ? `tier ${target.tier}` : `${target.tier}/${target.model}`;
}
