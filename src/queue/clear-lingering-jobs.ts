import type { Redis } from 'ioredis';
import type { FleetConfig } from '../config/fleet-schema.js';
import type { RouteDecision } from '../core/job/route-decision.js';
import type { FleetQueues, TierQueue } from './fleet-queues.js';
import { isFlowJobData } from './flows/flow-job-data.js';
import { memberChildId, stepChildId } from './flows/flow-queue-names.js';
import { escalationChildId } from './queue-names.js';
import type { TierJobData } from './tier-job-data.js';

/** A BullMQ job a client's job may create: its own (`own`), or one of its children. */
interface Slot {
  id: string;
  queue: TierQueue;
  bullId: string;
  own: boolean;
}

/**
 * Every BullMQ job a job about to be added may create under its client id:
 * itself on its entry queue; for a flow, its members' or steps' children
 * (and their fallback runs) on any tier; for a tier job, its escalations on
 * any tier (climbs, budget and classifier hand-offs).
 */
function slotsOf(queues: FleetQueues, fleet: FleetConfig, tier: string, data: TierJobData): Slot[] {
  const { id } = data;
  const own: Slot = { id, queue: queues.queue(tier), bullId: id, own: true };
  const onEveryTier = (bullIds: string[]): Slot[] =>
    fleet.tiers.flatMap((t) => bullIds.map((bullId) => ({ id, queue: queues.queue(t.name), bullId, own: false })));
  if (!isFlowJobData(data)) return [own, ...fleet.tiers.map((t) => ({ id, queue: queues.queue(t.name), bullId: escalationChildId(id, t.name), own: false }))];
  const { flow } = data;
  const count = flow.kind === 'ensemble' ? flow.plan.members.length : flow.plan.steps.length;
  const childId = flow.kind === 'ensemble' ? memberChildId : stepChildId;
  const indexes = Array.from({ length: count }, (_, i) => i + 1);
  return [own, ...onEveryTier(indexes.flatMap((i) => [childId(id, i, false), childId(id, i, true)]))];
}

export interface LingeringDeps {
  redis: Redis;
  queues: FleetQueues;
  fleet: FleetConfig;
}

/**
 * Clears what earlier jobs under the same ids left behind, before jobs whose
 * ids came free again are added. BullMQ removes a finished job past its
 * retention only when a later job of its queue finishes, so a quiet queue
 * still holds it after its id's reservation expired; adding a job under its
 * id would then add nothing (BullMQ keeps the old one), and a new job's
 * escalation or flow child would take the old child's answer. Finished
 * leftovers are removed. Returns the jobs whose own BullMQ job is still
 * unfinished (their id is in use: nothing is to be added, and their
 * children are left alone), with that job's route.
 */
export async function clearLingeringJobs(deps: LingeringDeps, jobs: readonly { tier: string; data: TierJobData }[]): Promise<Map<string, RouteDecision>> {
  const inUse = new Map<string, RouteDecision>();
  if (jobs.length === 0) return inUse;
  const slots = jobs.flatMap(({ tier, data }) => slotsOf(deps.queues, deps.fleet, tier, data));
  const check = deps.redis.pipeline();
  for (const slot of slots) check.exists(slot.queue.toKey(slot.bullId));
  const replies = (await check.exec()) ?? [];
  for (const [i, slot] of slots.entries()) {
    const [error, found] = replies[i] ?? [new Error('no reply'), 0];
    if (error !== null) throw error;
    if (found !== 1 || inUse.has(slot.id)) continue;
    const job = await slot.queue.getJob(slot.bullId);
    if (job === undefined) continue;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') await slot.queue.remove(slot.bullId, { removeChildren: false });
    else if (slot.own) inUse.set(slot.id, job.data.route);
  }
  return inUse;
}
