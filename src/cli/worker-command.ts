import { InvalidArgumentError, type Command } from 'commander';
import { runTierWorkerProcess } from '../../workers/tier-worker.js';

interface WorkerFlags {
  tier: string;
  concurrency?: number;
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError('expected a whole number from 1 to 1024');
  return n;
}

export function registerWorkerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description("run one tier's worker pool (start several processes per tier to scale it out)")
    .requiredOption('-t, --tier <name>', 'the tier whose queue this worker serves')
    .option('-c, --concurrency <n>', "jobs in flight at once (default: the tier's setting)", parseConcurrency);
  command.addHelpText(
    'after',
    `
Runs until SIGTERM or SIGINT, then drains: in-flight jobs finish within workers.shutdownGraceMs.

Exit codes:
  0  stopped by a signal, drained
  1  Redis did not answer at start-up (REDIS_URL; it is tried for 5 s), or the worker failed
  2  bad usage or configuration (unknown tier, fleet file, environment)`,
  );
  command.action(async (flags: WorkerFlags) => {
    await runTierWorkerProcess({
      tier: flags.tier,
      ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
    });
  });
}
