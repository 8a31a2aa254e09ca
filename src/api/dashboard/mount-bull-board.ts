import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { FleetConfig } from '../../config/fleet-schema.js';
import type { FleetQueues } from '../../queue/fleet-queues.js';

export interface BullBoardDeps {
  fleet: FleetConfig;
  queues: FleetQueues;
  /** Bull Board refuses every change (retry, clean, pause, add…) with 405 when true. */
  readOnly: boolean;
  /** Where the board is mounted, relative to `scope` (e.g. `/queues`). */
  prefix: string;
  /** The board's full path from the server root (e.g. `/admin/queues`), for its links and assets. */
  fullPath: string;
  /** A link back to the fleet overview. */
  overviewUrl: string;
}


/** Bull Board, showing every tier queue and the flows queue, as a child of `scope` (so `scope`'s hooks guard it). */
export async function mountBullBoard(scope: FastifyInstance, deps: BullBoardDeps): Promise<void> {
  const serverAdapter = new FastifyAdapter().setBasePath(deps.fullPath);
  createBullBoard({
    queues: [
      ...deps.fleet.tiers.map(
        (tier) =>
          new BullMQAdapter(deps.queues.queue(tier.name), {
            readOnlyMode: deps.readOnly,
            description: `tier ${tier.name}: ${tier.models.map((m) => m.id).join(', ')}`,
          }),
      ),
      new BullMQAdapter(deps.queues.flows, { readOnlyMode: deps.readOnly, description: 'ensemble and pipeline parents (their members run on the tier queues)' }),
    ],
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: `${deps.fleet.name} queues`,
        miscLinks: [{ text: 'Fleet overview', url: deps.overviewUrl }],
      },
    },
  });
  await scope.register(serverAdapter.registerPlugin(), { prefix: deps.prefix });
}
