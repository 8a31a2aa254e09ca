import { Redis } from 'ioredis';

/**
 * A Redis connection as BullMQ workers need it: commands wait for a
 * reconnect instead of failing (`maxRetriesPerRequest: null`).
 */
export function createRedisConnection(url: string, name = 'fleet'): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
}
