import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { STRATEGIES } from '../core/job/job-spec.js';
import { createApiClient, type BatchDefaults } from './api-client.js';
import type { BatchReceiptView } from '../queue/batches/batch-views.js';
import { cliAction, oneLineUsageErrors } from './cli-error.js';
import { openDirectFleet } from './direct-fleet.js';
import { addTargetOptions, chooseTarget, TARGET_HELP, type TargetFlags } from './fleet-target.js';
import { parseTag } from './parse-tag.js';
import { openDocuments, skippedNote, type DocumentSource, type SourceDocument } from './read-documents.js';
import { enqueueOutcome, refusalLines } from './enqueue-outcome.js';
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
  0  enqueued (some documents may have been refused: a warning says how many), or the batch existed already
  1  nothing new enqueued (every document refused, every job id exists already in the fleet, or --all-or-nothing
     refused the batch), or the API or Redis failed
  2  bad usage: unknown option, unreadable FILE or DIR, missing FLEET_API_KEY, bad configuration`,
  );
  command.action(
    cliAction(async (path: string, flags: EnqueueFlags) => {
      const target = chooseTarget(flags, process.env);
      const source = await openDocuments(path, { ...(flags.idPrefix === undefined ? {} : { idPrefix: flags.idPrefix }) });
      // Said with the outcome, so that a failure (the API unreachable, say) stays one line.
      const notes: string[] = [];
      const skipped = skippedNote(source);
      if (skipped !== undefined) notes.push(skipped);
      if (flags.idPrefix !== undefined && source.kind === 'jsonl') {
        notes.push('note: --id-prefix applies to ids made from file names (a folder, a .txt/.md file); the ids of JSONL jobs are kept');
      }
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

      const { code, printBatchId, lines } = enqueueOutcome(receipt, source, progress.count());
      for (const note of notes) console.error(note);
      if (flags.json === true) {
        console.log(JSON.stringify(receipt));
        return code;
      }
      for (const line of refusalLines(receipt, source, progress.count())) console.error(line);
      if (printBatchId) console.log(receipt.batchId);
      for (const line of lines) console.error(line);
      return code;
    }),
  );
}
