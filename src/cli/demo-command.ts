import type { Command } from 'commander';
import { runDemo } from '../../workers/demo.js';
import { oneLineUsageErrors } from './cli-error.js';

interface DemoFlags {
  json?: boolean;
  jobs?: string;
  scenario?: string;
}

export function registerDemoCommand(program: Command): void {
  const command = program
    .command('demo')
    .description('run the whole fleet on this machine on the sample jobs and print what each tier and model did')
    .option('--json', 'print the summary as JSON')
    .option('--jobs <file>', 'a JSONL file of jobs instead of examples/documents/demo-jobs.jsonl')
    .option('--scenario <file>', 'an emulator scenario instead of examples/scenarios/demo.yaml');
  oneLineUsageErrors(command);
  command.addHelpText(
    'after',
    `
Lines that repeat an earlier line's job id are the same job: run and counted once (a note says which).

Exit codes:
  0  every job completed
  1  a job failed or was refused, or a process did not start
  2  bad usage or configuration (a --jobs file that cannot be read, a bad --scenario, no Redis and no redis-server)`,
  );
  command.action(async (flags: DemoFlags) => {
    const outcome = await runDemo({
      json: flags.json === true,
      ...(flags.jobs === undefined ? {} : { jobsFile: flags.jobs }),
      ...(flags.scenario === undefined ? {} : { scenarioFile: flags.scenario }),
    });
    const { jobs } = outcome.summary;
    process.exitCode = jobs.failed === 0 && outcome.refused.length === 0 && jobs.completed === jobs.total ? 0 : 1;
  });
}
