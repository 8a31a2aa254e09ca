import type { FleetQueues } from '../../src/queue/fleet-queues.js';

/** The fleet's queues with every tier queue's `add` run through `around`, which calls `add` itself (or not). */
export function aroundAdd(queues: FleetQueues, around: (add: () => Promise<unknown>) => Promise<unknown>): FleetQueues {
  return {
    ...queues,
    queue(tier) {
      const queue = queues.queue(tier);
      return new Proxy(queue, {
        get(target, prop, receiver) {
          if (prop !== 'add') return Reflect.get(target, prop, receiver) as unknown;
          return (...args: Parameters<typeof queue.add>) => around(() => target.add(...args));
        },
      });
    },
  };
}
