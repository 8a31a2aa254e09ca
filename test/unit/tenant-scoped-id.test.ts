import { describe, expect, it } from 'vitest';
import { clientId, fleetIdsOf, scopedId } from '../../src/core/job/tenant-scoped-id.js';

describe('tenant-scoped ids', () => {
  it("put a tenant's id under its tenant, and keep the default tenant's as given", () => {
    expect(scopedId('acme', 'doc-1')).toBe('acme/doc-1');
    expect(scopedId('globex', 'doc-1')).not.toBe(scopedId('acme', 'doc-1'));
    expect(scopedId('default', 'doc-1')).toBe('doc-1');
  });

  it('give back the id the tenant gave, whatever its own dots and dashes', () => {
    for (const [tenant, id] of [['acme', 'doc-1'], ['a.b', 'c.d--e'], ['default', 'x'], ['acme', 'acme']] as const) {
      expect(clientId(tenant, scopedId(tenant, id))).toBe(id);
    }
  });

  it("leave an id that is not under the tenant as it is (one enqueued before ids were scoped)", () => {
    expect(clientId('acme', 'doc-1')).toBe('doc-1');
    expect(clientId('acme', 'globex/doc-1')).toBe('globex/doc-1');
  });

  it("look for a tenant's id under its tenant first, then bare; the default tenant's only as given", () => {
    expect(fleetIdsOf('acme', 'doc-1')).toEqual(['acme/doc-1', 'doc-1']);
    expect(fleetIdsOf('default', 'doc-1')).toEqual(['doc-1']);
  });
});
