#!/usr/bin/env node
/**
 * The `studyopt` command line. Each command is a yargs module in src/cli/commands/; this file
 * wires them together and turns failures into exit codes: 2 for bad input (a UsageError or a
 * flag yargs rejects), 1 for anything unexpected, 130 after a second Ctrl-C.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../errors.js';
import backtest from './commands/backtest.js';
import data from './commands/data.js';
import bench from './commands/bench.js';
import best from './commands/best.js';
import deleteCommand from './commands/delete.js';
import exportCommand from './commands/export.js';
import optimize from './commands/optimize.js';
import report from './commands/report.js';
import studies from './commands/studies.js';
import trials from './commands/trials.js';

export const EXIT_USAGE = 2;

async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('studyopt')
    .usage('$0 <command> [options]\n\nBayesian and evolutionary parameter search, modelled on Optuna.')
    .command(optimize)
    .command(bench)
    .command(report)
    .command(backtest)
    .command(data)
    .command(studies)
    .command(trials)
    .command(best)
    .command(exportCommand)
    .command(deleteCommand)
    .demandCommand(1, 'name a command: see studyopt --help')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, error) => {
      throw error ?? new UsageError(`${message} (see 'studyopt <command> --help')`);
    });
  await cli.parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`studyopt: ${err.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`studyopt: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
});
