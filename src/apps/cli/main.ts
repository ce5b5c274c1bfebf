#!/usr/bin/env node
/**
 * The `studyopt` command line. Each command is a yargs module in src/apps/cli/commands/; this file
 * wires them together and turns failures into exit codes: 2 for bad input (a UsageError, a flag
 * yargs rejects, a number option given something else), 1 for anything unexpected, 130 after a
 * second Ctrl-C, 0 when the reader of the output goes away (`studyopt trials | head -1`).
 */
import yargs, { type MiddlewareFunction } from 'yargs';
import { Parser, hideBin } from 'yargs/helpers';
import { UsageError } from '../../errors.js';
// The samplers by CLI name, and TPE as the default sampler of a study (src/sampler.ts).
import '../../../samplers/index.js';
import backtest from './commands/backtest.js';
import data from './commands/data.js';
import bench from './commands/bench.js';
import best from './commands/best.js';
import verify from './commands/verify.js';
import deleteCommand from './commands/delete.js';
import exportCommand from './commands/export.js';
import importance from './commands/importance.js';
import optimize from './commands/optimize.js';
import report from './commands/report.js';
import dashboard from './commands/dashboard.js';
import studies from './commands/studies.js';
import trials from './commands/trials.js';

export const EXIT_USAGE = 2;

/**
 * `studyopt trials | head -1`: head reads one line and closes the pipe, and the next write fails
 * with EPIPE. That is the reader's choice, not a failure of ours, so the process ends at once and
 * quietly: no stack trace, and status 0 (or the status already decided, e.g. 2 when the reader of
 * stderr went away while a usage error was being written). 0 rather than the 141 of a process
 * killed by SIGPIPE: shells ignore the status of a pipeline's left side anyway, except under
 * `set -o pipefail`, where a nonzero status would fail every script that pipes studyopt into
 * head. Only optimize writes while it works, and only at its end (its progress line goes to
 * stderr and only on a terminal), so exiting here loses no trial.
 */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

/**
 * yargs turns `--trials abc` into NaN (and a bare `--trials` into nothing at all, leaving the
 * default), and the command would then say "got NaN", or run with the default. This middleware
 * runs before any command's own checks: it reads the arguments again with yargs' parser, taking
 * the options the command declares `type: 'number'` as strings, and quotes what the user typed.
 */
function checkNumberOptions(args: readonly string[]): MiddlewareFunction {
  // yargs passes itself as the middleware's second argument (its typings leave it out).
  const check = (argv: Record<string, unknown>, y: { getOptions(): unknown }): void => {
    const options = y.getOptions() as { number: string[]; array: string[]; alias: Record<string, string[]>; configuration: Record<string, unknown> };
    const aliasOf = new Set(Object.values(options.alias).flat());
    const numbers = options.number.filter((k) => !aliasOf.has(k));
    if (numbers.length === 0) return;
    const raw = Parser([...args], { string: numbers, array: options.array, alias: options.alias, configuration: { ...options.configuration, 'parse-numbers': false } }) as Record<string, unknown>;
    for (const k of numbers) {
      if (raw[k] === undefined) continue;
      const typed = ([] as unknown[]).concat(raw[k]).map(String);
      const parsed = ([] as unknown[]).concat(argv[k]);
      const flag = k.length === 1 ? `-${k}` : `--${k}`;
      if (typed.some((t) => t === '') || argv[k] === undefined) throw new UsageError(`${flag} needs a number after it (see 'studyopt <command> --help')`);
      const i = parsed.findIndex((v) => typeof v === 'number' && Number.isNaN(v));
      if (i >= 0) throw new UsageError(`${flag} must be a number, but got '${typed[i] ?? typed[0]}'`);
    }
  };
  return check as unknown as MiddlewareFunction;
}

async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('studyopt')
    .usage('$0 <command> [options]\n\nBayesian and evolutionary parameter search, modelled on Optuna.')
    .command(optimize)
    .command(bench)
    .command(report)
    .command(dashboard)
    .command(backtest)
    .command(data)
    .command(studies)
    .command(trials)
    .command(best)
    .command(importance)
    .command(verify)
    .command(exportCommand)
    .command(deleteCommand)
    .middleware(checkNumberOptions(argv), true)
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

exitQuietlyOnClosedPipe(process.stdout);
exitQuietlyOnClosedPipe(process.stderr);
main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`studyopt: ${err.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else {
    process.stderr.write(`studyopt: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
});
