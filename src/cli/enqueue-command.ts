import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { STRATEGIES } from '../core/job/job-spec.js';
import { createApiClient, type BatchDefaults } from './api-client.js';
import type { BatchReceiptView } from '../queue/batches/batch-views.js';
import { cliAction, EXIT, oneLineUsageErrors } from './cli-error.js';
import { openDirectFleet } from './direct-fleet.js';
import { addTargetOptions, chooseTarget, TARGET_HELP, type TargetFlags } from './fleet-target.js';
import { parseTag } from './parse-tag.js';
import { openDocuments, type DocumentSource, type SourceDocument } from './read-documents.js';
import { submitDirect, submitViaApi } from './submit-documents.js';
import { BATCH_DEFAULT_FIELDS } from '../queue/batches/batch-default-fields.js';

interface EnqueueFlags extends TargetFlags {
  task?: string;
  strategy?: string;
  flow?: string;
  tier?: string;
  model?: string;
  template?: string;
  tag?: Record<string, string>;
  batchId?: string;
  allOrNothing?: boolean;
  idPrefix?: string;
  tenant?: string;
  json?: boolean;
}

/** Refusals printed one per line; the rest are counted. */
const SHOWN_REFUSALS = 20;

function parseBatchId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$/.test(value)) {
    throw new InvalidArgumentError('a batch id is 1-101 letters, digits, "_", "." or "-", starting with a letter or digit');
  }
  return value;
}

function parseIdPrefix(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value)) {
    throw new InvalidArgumentError('an id prefix is 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');
  }
  return value;
}

/** The documents, counted into a progress bar on stderr (shown on a terminal only). */
function withProgress(source: DocumentSource, show: boolean): { documents: AsyncIterable<SourceDocument>; count(): number; stop(): void } {
  const known = source.progress().total !== undefined;
  const bar = new SingleBar(
    {
      format: known
        ? 'reading {source} |{bar}| {percentage}% | {documents} documents'
        : 'reading {source} | {documents} documents | {duration}s',
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let count = 0;
  if (show) bar.start(source.progress().total ?? 0, 0, { source: source.label, documents: 0 });
  async function* counted(): AsyncGenerator<SourceDocument> {
    for await (const document of source.documents) {
      count += 1;
      bar.update(source.progress().done, { documents: count });
      yield document;
    }
    bar.update(source.progress().total ?? source.progress().done, { documents: count });
  }
  return { documents: counted(), count: () => count, stop: () => bar.stop() };
}

function report(receipt: BatchReceiptView, source: DocumentSource, read: number): string[] {
  const lines: string[] = [];
  if (receipt.refusedCount > 0) {
    lines.push(`refused ${receipt.refusedCount} of ${read} documents:`);
    for (const r of receipt.refused.slice(0, SHOWN_REFUSALS)) lines.push(`  ${source.where(r.index)}: ${r.message}`);
    const more = receipt.refusedCount - Math.min(receipt.refused.length, SHOWN_REFUSALS);
    if (more > 0) lines.push(`  … and ${more} more (--json lists the first ${receipt.refused.length})`);
  }
  return lines;
}

/** Exit code and the closing lines for a receipt. */
function outcome(receipt: BatchReceiptView, read: number): { code: number; lines: string[] } {
  const id = receipt.batchId;
  if (!receipt.created) {
    return { code: EXIT.ok, lines: [`batch ${id} existed already (${receipt.accepted} jobs); nothing was enqueued again`] };
  }
  if (!receipt.enqueued) {
    return {
      code: EXIT.failed,
      lines: [`fleet: nothing enqueued: ${receipt.refusedCount} of ${read} documents refused and --all-or-nothing is set; fix them and enqueue again`],
    };
  }
  if (receipt.accepted === 0) {
    const why = read === 0 ? 'no documents were read' : `all ${read} documents were refused`;
    return { code: EXIT.failed, lines: [`fleet: nothing enqueued: ${why}`] };
  }
  const lines: string[] = [];
  if (receipt.refusedCount > 0) {
    lines.push(`fleet: warning: ${receipt.refusedCount} documents refused; ${receipt.accepted} enqueued in batch ${id}`);
  }
  if (receipt.duplicates > 0) {
    lines.push(
      `note: ${receipt.duplicates} job ids exist already in the fleet and were not enqueued again (enqueue under new ids with --id-prefix)`,
    );
  }
  lines.push(`enqueued ${receipt.accepted} jobs in batch ${id}; follow it with: fleet status ${id} --watch`);
  return { code: EXIT.ok, lines };
}

export function registerEnqueueCommand(program: Command): void {
  const command = program
    .command('enqueue')
    .description('enqueue a batch of documents: a JSONL file, a folder of .txt/.md files, or - for JSONL on stdin')
    .argument('<source>', 'FILE (JSONL, or one .txt/.md document), DIR (each .txt/.md file a document, its id from the file name), or -')
    .option('--task <name>', 'task of every document that names none (summarization, classification, …)')
    .addOption(new Option('--strategy <name>', 'strategy of every document that names none').choices(STRATEGIES))
    .option('--flow <name>', 'the ensemble or pipeline (flows in the fleet file) of every document that names none')
    .option('--tier <name>', 'start every document on this tier')
    .option('--model <id>', 'send every document to this model')
    .option('--template <name>', 'prompt template for every document')
    .option('--tag <key=value>', 'a tag on every document (repeatable)', parseTag)
    .option('--batch-id <id>', 'the batch id (idempotent: the same id again enqueues nothing); generated when unset', parseBatchId)
    .option('--all-or-nothing', 'enqueue nothing when any document is refused')
    .option('--id-prefix <prefix>', 'put in front of ids derived from file names (to enqueue a folder again as new jobs)', parseIdPrefix)
    .option('--tenant <name>', 'tenant of the jobs in direct (Redis) mode; through the API, the key decides', 'default')
    .option('--json', 'print the receipt as JSON on stdout instead (batchId, accepted, refused, …)');
  addTargetOptions(command);
  oneLineUsageErrors(command);
  command.addHelpText(
    'after',
    `
Prints the batch id on stdout, refused documents on stderr.
${TARGET_HELP}

Exit codes:
  0  enqueued (some documents may have been refused: a warning says how many)
  1  nothing enqueued (every document refused, or --all-or-nothing refused the batch), or the API or Redis failed
  2  bad usage: unknown option, unreadable FILE or DIR, missing FLEET_API_KEY, bad configuration`,
  );
  command.action(
    cliAction(async (path: string, flags: EnqueueFlags) => {
      const target = chooseTarget(flags, process.env);
      const source = await openDocuments(path, { ...(flags.idPrefix === undefined ? {} : { idPrefix: flags.idPrefix }) });
      const defaults: BatchDefaults = {};
      for (const field of BATCH_DEFAULT_FIELDS) {
        const value = flags[field];
        if (value !== undefined) defaults[field] = value;
      }
      if (flags.tag !== undefined) defaults.tags = flags.tag;
      const options = {
        defaults,
        ...(flags.batchId === undefined ? {} : { batchId: flags.batchId }),
        allOrNothing: flags.allOrNothing === true,
      };

      const progress = withProgress(source, flags.json !== true);
      let receipt: BatchReceiptView;
      try {
        if (target.kind === 'api') {
          receipt = await submitViaApi(createApiClient({ url: target.url, key: target.key }), progress.documents, options);
        } else {
          const fleet = await openDirectFleet(process.env);
          try {
            receipt = await submitDirect(fleet, progress.documents, { ...options, tenant: flags.tenant ?? 'default' });
          } finally {
            await fleet.close();
          }
        }
      } finally {
        progress.stop();
      }

      const { code, lines } = outcome(receipt, progress.count());
      if (flags.json === true) {
        console.log(JSON.stringify(receipt));
        return code;
      }
      for (const line of report(receipt, source, progress.count())) console.error(line);
      if (code === EXIT.ok) console.log(receipt.batchId);
      for (const line of lines) console.error(line);
      return code;
    }),
  );
}
