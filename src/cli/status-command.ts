import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { createBatchStatusBars, formatBatchStatus } from './batch-status-bars.js';
import { openBatchReader } from './batch-reader.js';
import type { BatchStatusView } from '../queue/batches/batch-views.js';
import { cliAction, EXIT, oneLineUsageErrors } from './cli-error.js';
import { addTargetOptions, chooseTarget, TARGET_HELP, type TargetFlags } from './fleet-target.js';

interface StatusFlags extends TargetFlags {
  watch?: boolean;
  json?: boolean;
  interval: number;
  timeout?: number;
}

export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 7 * 86_400) throw new InvalidArgumentError('expected a number of seconds above 0');
  return seconds;
}

/**
 * 0 finished with no failures; 1 finished with failed jobs, or with none run (every document refused), or its
 * submission stopped part-way (interrupted: it never finishes until sent again); 3 still running.
 */
export function statusExitCode(view: BatchStatusView): number {
  if (view.status === 'interrupted') return EXIT.failed;
  if (view.status !== 'finished') return EXIT.running;
  if (view.counts.failed > 0 || (view.total === 0 && view.refused > 0)) return EXIT.failed;
  return EXIT.ok;
}

export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .description("a batch's progress: jobs completed, failed and pending, and jobs finished per tier")
    .argument('<batch>', 'the batch id that "fleet enqueue" printed')
    .option('-w, --watch', 'update every second until the batch finishes')
    .option('--json', 'print the status as JSON on stdout (with --watch: one line per change, the last one final)')
    .option('--interval <seconds>', 'with --watch: seconds between updates', parseSeconds, 1)
    .option('--timeout <seconds>', 'with --watch: give up after this long (exit 3)', parseSeconds);
  addTargetOptions(command);
  oneLineUsageErrors(command);
  command.addHelpText(
    'after',
    `
Progress bars on a terminal; one line per update otherwise.
${TARGET_HELP}

Exit codes:
  0  the batch finished and no job failed
  1  the batch finished with failed jobs (or none ran: every document was refused), its submission stopped
     part-way (interrupted: send it again under the same id to carry it on), or the API or Redis failed
  2  bad usage or configuration (unknown option, missing FLEET_API_KEY, a key the API refuses)
  3  the batch is still running (without --watch, or when --timeout ran out)
  4  no batch with this id (for this API key's tenant)
  130 interrupted (Ctrl-C) while watching`,
  );
  command.action(
    cliAction(async (id: string, flags: StatusFlags) => {
      const reader = await openBatchReader(chooseTarget(flags, process.env));
      const json = flags.json === true;
      const bars = !json && process.stderr.isTTY ? createBatchStatusBars() : undefined;
      const stop = new AbortController();
      // Ends the watch; a request still waiting (Redis or the API not answering) does not hold Ctrl-C up for long.
      const interrupt = (): void => {
        stop.abort();
        bars?.stop();
        setTimeout(() => process.exit(EXIT.interrupted), 1_000).unref();
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        let view = await reader.status(id);
        let shown = '';
        const show = (v: BatchStatusView): void => {
          if (bars !== undefined) return bars.update(v);
          const line = json ? JSON.stringify(v) : formatBatchStatus(v);
          if (line !== shown) console.log(line);
          shown = line;
        };
        show(view);
        const deadline = flags.timeout === undefined ? Infinity : Date.now() + flags.timeout * 1000;
        let interrupted = false;
        const settled = (v: BatchStatusView): boolean => v.status === 'finished' || v.status === 'interrupted';
        while (flags.watch === true && !settled(view) && Date.now() < deadline) {
          try {
            await sleep(Math.min(flags.interval * 1000, Math.max(0, deadline - Date.now())), undefined, { signal: stop.signal });
          } catch {
            interrupted = true;
            break;
          }
          view = await reader.status(id);
          show(view);
        }
        if (bars !== undefined) {
          bars.stop();
          console.log(formatBatchStatus(view));
        }
        if (interrupted) return EXIT.interrupted;
        if (view.status === 'interrupted') {
          console.error(`fleet: batch ${id}: ${view.message ?? 'its submission stopped part-way'}`);
        } else if (flags.watch === true && view.status !== 'finished') {
          console.error(`fleet: batch ${id} is still running after ${flags.timeout} s; watch it again with: fleet status ${id} --watch`);
        }
        return statusExitCode(view);
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
        bars?.stop();
        await reader.close();
      }
    }),
  );
}
