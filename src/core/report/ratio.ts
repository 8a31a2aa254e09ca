/** `part / whole`, or 0 when `whole` is 0 (no calls yet is a 0 % rate, not NaN). */
export function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}
