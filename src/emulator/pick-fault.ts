import type { Random } from './seeded-random.js';

/**
 * Draws once and returns the fault whose slice of [0, 1) the draw fell in,
 * or undefined for a clean call. Rates add up in the order given; a total
 * over 1 means every call fails.
 */
export function pickFault<K extends string>(rates: Partial<Record<K, number>>, random: Random): K | undefined {
  const entries = Object.entries(rates) as [K, number | undefined][];
  if (entries.length === 0) return undefined;
  const draw = random();
  let edge = 0;
  for (const [name, rate] of entries) {
    edge += rate ?? 0;
    if (draw < edge) return name;
  }
  return undefined;
}
