/** The tenant of jobs that name none (single-tenant fleets, the CLI without the API): its ids are kept as given. */
export const DEFAULT_TENANT = 'default';

/**
 * The fleet-wide id of a tenant's job or batch id: `<tenant>/<id>`, so two
 * tenants may use the same ids without meeting (a client id holds no `/`).
 * The default tenant's ids stay as they are.
 */
export function scopedId(tenant: string, id: string): string {
  return tenant === DEFAULT_TENANT ? id : `${tenant}/${id}`;
}

/** The id as its tenant gave it: a fleet-wide id without its tenant's prefix. */
export function clientId(tenant: string, id: string): string {
  const prefix = `${tenant}/`;
  return tenant !== DEFAULT_TENANT && id.startsWith(prefix) ? id.slice(prefix.length) : id;
}

/**
 * The fleet-wide ids a tenant's id may be kept under, in the order to look:
 * under its tenant, then bare (a job or batch enqueued before ids were scoped
 * per tenant).
 */
export function fleetIdsOf(tenant: string, id: string): string[] {
  const scoped = scopedId(tenant, id);
  return scoped === id ? [id] : [scoped, id];
}
