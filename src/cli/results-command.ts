import { open } from 'node:fs/promises';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import type { ResultOrder } from './api-client.js';
import { openBatchReader } from './batch-reader.js';
import { CliError, cliAction, errorCode, EXIT, oneLineUsageErrors } from './cli-error.js';
import { addTargetOptions, chooseTarget, TARGET_HELP, type TargetFlags } from './fleet-target.js';

interface ResultsFlags extends TargetFlags {
  output?: string;
  order: ResultOrder;
  json?: boolean;
}

/** Passes chunks through and counts the lines (one result each). */
function lineCounter(onLines: (lines: number) => void): Transform {
  let lines = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
      onLines(lines);
      callback(null, chunk);
    },
  });
}

async function openOutput(file: string): Promise<Writable> {
  try {
    return (await open(file, 'w')).createWriteStream();
  } catch (error) {
    const code = errorCode(error);
    const reason = code === 'ENOENT' ? 'no such folder' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : String(code);
    throw new CliError(`cannot write "${file}": ${reason}; pass -o a file in a folder that exists`, EXIT.usage);
  }
}

export function registerResultsCommand(program: Command): void {
  const command = program
    .command('results')
    .description("a batch's job results as JSONL, one result per line (answer, tier, model, attempts, cost, tags)")
    .argument('<batch>', 'the batch id that "fleet enqueue" printed')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addOption(new Option('--order <order>', 'input order, or the order jobs finished (finished ones only)').choices(['input', 'finished']).default('input'))
    .option('--json', 'print a summary as JSON (on stdout with -o, else on stderr)');
  addTargetOptions(command);
  oneLineUsageErrors(command);
  command.addHelpText(
    'after',
    `
Results stream as they are read; nothing is held in memory. Jobs not finished yet appear with their
current state (queued, active, escalated).
${TARGET_HELP}

Exit codes:
  0  every result written; the batch had finished (failed jobs are results too)
  1  the API or Redis failed, writing failed, or the batch's submission stopped part-way (interrupted: send it again)
  2  bad usage or configuration (unknown option, -o in a missing folder, missing FLEET_API_KEY)
  3  written, but the batch is still running: results of unfinished jobs are not final
  4  no batch with this id (for this API key's tenant)`,
  );
  command.action(
    cliAction(async (id: string, flags: ResultsFlags) => {
      const reader = await openBatchReader(chooseTarget(flags, process.env));
      try {
        const view = await reader.status(id);
        const expected = flags.order === 'input' ? view.total : view.counts.completed + view.counts.failed;
        const output = flags.output === undefined ? undefined : await openOutput(flags.output);
        const body = await reader.results(id, flags.order);
        const bar = new SingleBar(
          { format: 'results |{bar}| {value}/{total}', stream: process.stderr, hideCursor: true },
          Presets.shades_classic,
        );
        if (output !== undefined && flags.json !== true) bar.start(Math.max(1, expected), 0);
        let written = 0;
        const counter = lineCounter((lines) => {
          written = lines;
          bar.update(lines);
        });
        try {
          await pipeline(Readable.from(body), counter, output ?? process.stdout, { end: output !== undefined });
        } catch (error) {
          if (errorCode(error) !== 'EPIPE') throw error;
        } finally {
          bar.stop();
        }

        const finished = view.status === 'finished';
        const to = flags.output ?? 'stdout';
        if (flags.json === true) {
          const summary = JSON.stringify({ batchId: id, output: flags.output ?? null, order: flags.order, results: written, status: view });
          if (output === undefined) console.error(summary);
          else console.log(summary);
        } else if (finished) {
          console.error(
            `wrote ${written} results of batch ${id} to ${to} (${view.counts.completed} completed, ${view.counts.failed} failed)`,
          );
        }
        if (view.status === 'interrupted') {
          console.error(`fleet: batch ${id}: ${view.message ?? 'its submission stopped part-way'}; the ${written} results written are of the documents it enqueued`);
          return EXIT.failed;
        }
        if (!finished) {
          console.error(
            `fleet: batch ${id} is still running (${view.counts.pending} pending): the ${written} results written are not final; ` +
              `wait with "fleet status ${id} --watch", then run this again`,
          );
          return EXIT.running;
        }
        return EXIT.ok;
      } finally {
        await reader.close();
      }
    }),
  );
}
