import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A repeatable source of numbers in [0, 1). */
export type Random = () => number;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One generator per (seed, name): each model's sequence of latencies and
 * faults repeats run after run, however calls to other models interleave.
 */
export function seededRandom(seed: number, name: string): Random {
  const rng = xoroshiro128plus((seed ^ hash(name)) | 0);
  uniformFloat64(rng); // the first draw of a fresh generator is near 1 for small seeds
  return () => uniformFloat64(rng);
}
