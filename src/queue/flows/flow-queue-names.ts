/** BullMQ name of the fleet's flows queue (under the fleet's prefix, like the tier queues). */
export const FLOWS_QUEUE_NAME = 'flows';

/** BullMQ id of an ensemble member's child (`fallback`: the run on the fallback model). */
export function memberChildId(jobId: string, member: number, fallback: boolean): string {
  return `${jobId}--m${member}${fallback ? '-fb' : ''}`;
}

/** BullMQ id of a pipeline step's child (`fallback`: the run on the fallback model). */
export function stepChildId(jobId: string, step: number, fallback: boolean): string {
  return `${jobId}--s${step}${fallback ? '-fb' : ''}`;
}
