/**
 * JSON with object keys sorted at every depth, so two values that differ only
 * in key order serialize alike. Bytes (`Uint8Array`) become `{"$bytes": base64}`,
 * so an image given as raw bytes and the same image as base64 text differ
 * from each other but are each stable. `undefined` fields are left out, as
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map((item: unknown) => (item === undefined ? null : normalize(item)));
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) sorted[key] = normalize(field);
  }
  return sorted;
}
