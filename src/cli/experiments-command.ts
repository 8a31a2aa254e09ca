import type { Command } from 'commander';
import { summarizeExperiment, type ExperimentSummary } from '../core/experiments/summarize-experiment.js';
import { createExperimentStore } from '../queue/experiments/experiment-store.js';
import { CliError, cliAction, EXIT, oneLineUsageErrors } from './cli-error.js';
import { openDirectFleet } from './direct-fleet.js';
import { formatExperimentReport } from './format-experiment-report.js';

interface ReportFlags {
  json?: boolean;
}

export interface ExperimentReport extends ExperimentSummary {
  /** Whether the fleet file lists the experiment, and whether it is active there. */
  configured: boolean;
  active: boolean;
}

export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command('experiments').description('A/B experiments of the fleet file: how their variants compare');
  const report = experiments
    .command('report')
    .description('per variant: jobs, completed, failed, cost, p50/p95 latency, escalation rate, accuracy, and the difference from the first variant')
    .argument('[name]', 'one experiment; every experiment in the fleet file or with measurements when omitted')
    .option('--json', 'print the report as JSON on stdout');
  oneLineUsageErrors(report);
  report.addHelpText(
    'after',
    `
Reads the measurements straight from the fleet's Redis (REDIS_URL, FLEET_CONFIG, FLEET_NAME).
Cost per job and the escalation rate are over finished jobs; latency is enqueue to finish of
completed jobs (the newest 2,000); accuracy is over completed jobs with metadata.golden.

Exit codes:
  0  the report was printed
  1  Redis failed
  2  bad usage or configuration
  4  no experiment with this name (in the fleet file or with measurements)`,
  );
  report.action(
    cliAction(async (name: string | undefined, flags: ReportFlags) => {
      const fleet = await openDirectFleet();
      try {
        const config = fleet.settings.fleet.experiments;
        const store = createExperimentStore({ redis: fleet.redis, fleetName: fleet.settings.fleet.name });
        const recorded = await store.names();
        const known = [...config.map((e) => e.name), ...recorded.filter((n) => !config.some((e) => e.name === n))];
        if (name !== undefined && !known.includes(name)) {
          throw new CliError(`no experiment "${name}" in the fleet file or with measurements; known: ${known.join(', ') || 'none'}`, EXIT.notFound);
        }
        const reports: ExperimentReport[] = [];
        for (const experiment of name === undefined ? known : [name]) {
          const configured = config.find((e) => e.name === experiment);
          const counters = await store.read(experiment, configured?.variants.map((v) => v.name) ?? []);
          reports.push({ ...summarizeExperiment(experiment, counters), configured: configured !== undefined, active: configured?.active ?? false });
        }
        if (flags.json === true) {
          console.log(JSON.stringify({ fleet: fleet.settings.fleet.name, experiments: reports }, null, 2));
          return EXIT.ok;
        }
        if (reports.length === 0) {
          console.log('no experiments: add "experiments:" to the fleet file (see docs/experiments.md)');
          return EXIT.ok;
        }
        const note = (r: ExperimentReport): string | undefined => (!r.configured ? 'not in the fleet file' : r.active ? undefined : 'inactive');
        console.log(reports.map((r) => formatExperimentReport(r, note(r))).join('\n\n'));
        return EXIT.ok;
      } finally {
        await fleet.close();
      }
    }),
  );
}
