import type { Redis } from 'ioredis';
import { fleetPrefix } from './queue-names.js';

/**
 * Deletes every key of a fleet (queues, jobs, index, batches, stats): for
 * throwaway fleets of demos, benchmarks and tests. SCAN, not KEYS, so a
 * shared Redis is not blocked. Returns how many keys were removed.
 */
export async function removeFleetKeys(redis: Redis, fleetName: string): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${fleetPrefix(fleetName)}:*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}
