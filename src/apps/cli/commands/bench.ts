/**
 * `studyopt bench`: every sampler × budget × seed on one search space, against the exhaustive
 * grid's ground truth (the IB study) or the known optimum (a test function); prints one table.
 * See docs/bench-samplers.md.
 */
import { writeFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { type BenchResult, runBench } from '../../bench/bench.js';
import { type BenchFlags, DEFAULT_BUDGETS, DEFAULT_SEEDS, resolveBenchConfig } from '../../bench/cli-config.js';
import { BENCH_DEFAULT_GRID, OPTIMIZE_DEFAULT_GRID, gridPoints } from '../../bench/objectives.js';
import { Progress, colors } from '../../bench/progress.js';
import { formatTable } from '../../bench/table.js';
import { formatValue } from '../../../progress.js';
import { renderBenchReport } from '../../report/report.js';
import { resolveStorage } from '../../../storage/resolve.js';
import type { Storage } from '../../../storage/storage.js';
import { samplerNames } from '../../../../samplers/index.js';
import { testFunctionNames } from '../../../../studies/functions/index.js';
import { OBJECTIVE_NAMES } from '../../../../studies/ib/objective.js';
import { installInterruptHandler } from '../interrupt.js';
import { DEFAULT_STORAGE } from './storage-options.js';

interface BenchArgs extends BenchFlags {
  json?: string;
  html?: string;
  storage: string;
  quiet: boolean;
}

const command: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'compare samplers over budgets and seeds against the exhaustive grid (IB) or the known optimum (test functions)',
  builder: (y: Argv) =>
    y
      .option('study', { type: 'string', choices: ['ib', 'function'], describe: "'ib' (the IB backtest, the default) or 'function' (a test function)" })
      .option('objective', {
        type: 'string',
        describe: `a test function (${testFunctionNames().join(', ')}), or for the IB study the metric (${OBJECTIVE_NAMES.join(', ')}; default sharpe)`,
      })
      .option('symbol', { type: 'string', describe: 'IB: the symbol (default GER40)', group: 'IB study:' })
      .option('grid', {
        type: 'string',
        choices: ['standard', 'expanded'],
        describe: `IB: the grid that is the ground truth and the space every sampler searches (default ${BENCH_DEFAULT_GRID}, ${gridPoints(BENCH_DEFAULT_GRID)} points; studyopt optimize searches the ${OPTIMIZE_DEFAULT_GRID} grid by default, ${gridPoints(OPTIMIZE_DEFAULT_GRID)} points: --grid ${OPTIMIZE_DEFAULT_GRID} benches that space, at the cost of backtesting all of it once for the ground truth)`,
        group: 'IB study:',
      })
      .option('min-trades', { type: 'number', describe: 'IB: trials with fewer trades are infeasible, never best (default 10)', group: 'IB study:' })
      .option('from', { type: 'string', describe: 'IB: first trading day, YYYY-MM-DD', group: 'IB study:' })
      .option('to', { type: 'string', describe: 'IB: last trading day, YYYY-MM-DD', group: 'IB study:' })
      .option('samplers', { type: 'string', describe: `comma-separated samplers (default: all registered: ${samplerNames().join(',')})` })
      .option('trials', { type: 'string', describe: `comma-separated budgets (default ${DEFAULT_BUDGETS.join(',')})` })
      .option('gp-trials', { type: 'string', describe: 'budgets the GP sampler runs at (default: all of --trials)' })
      .option('seeds', { type: 'number', describe: `seeds per sampler and budget (default ${DEFAULT_SEEDS}: seeds 1..N)` })
      .option('workers', { type: 'number', describe: 'worker threads running whole runs in parallel (default: the number of cores); results do not depend on it' })
      .option('json', { type: 'string', describe: 'write the result (table rows, every run, the reference) to this JSON file' })
      .option('html', { type: 'string', describe: 'write the bench charts to this self-contained HTML file' })
      .option('storage', { type: 'string', default: DEFAULT_STORAGE, describe: "the study file where the IB grid's ground truth is cached (bench-truth:<objective>)" })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress' }) as unknown as Argv<BenchArgs>,
  handler: async (argv: ArgumentsCamelCase<BenchArgs>) => {
    const config = resolveBenchConfig(argv);
    const progress = new Progress({ quiet: argv.quiet });
    const c = colors(progress.mode);
    for (const note of config.notes) progress.log(c.dim(`note: ${note}`));
    let storage: Storage | undefined;
    if (config.spec.kind === 'ib') storage = resolveStorage(argv.storage);
    const interrupt = installInterruptHandler(() => process.stderr.write('\nstopping (Ctrl-C again to quit at once)\n'));
    let result: BenchResult;
    try {
      result = await runBench(config, { storage, progress, signal: interrupt.signal });
    } catch (err) {
      if (!interrupt.signal.aborted) throw err;
      progress.close();
      process.stderr.write(`bench interrupted${config.spec.kind === 'ib' ? '; the grid truth computed so far is kept in the store and the next bench finishes it' : ''}\n`);
      process.exitCode = 130;
      return;
    } finally {
      interrupt.dispose();
      storage?.close();
    }
    process.stdout.write(describeReference(result));
    process.stdout.write(formatTable(result.rows));
    process.stdout.write(`${result.runs.length} runs on ${result.workers} worker${result.workers > 1 ? 's' : ''}, ${result.wallSeconds.toFixed(1)} s in all\n`);
    if (argv.json) {
      writeFileSync(argv.json, `${JSON.stringify(result, null, 1)}\n`);
      process.stdout.write(`result written to ${argv.json}\n`);
    }
    if (argv.html) {
      writeFileSync(argv.html, renderBenchReport(result));
      process.stdout.write(`charts written to ${argv.html}\n`);
    }
  },
};

export default command;

export function describeReference(r: BenchResult): string {
  const ref = r.reference;
  const head =
    ref.kind === 'grid'
      ? `${r.objective}: grid of ${ref.size} points (${ref.feasible} feasible), optimum ${formatValue(ref.optimum)}, top 1% from ${formatValue(ref.top1Threshold)}; truth in study '${ref.studyName}'`
      : `${r.objective}: known optimum ${formatValue(ref.optimum)}; percentiles among ${ref.size} seeded uniform points (top 1% from ${formatValue(ref.top1Threshold)})`;
  const searched = r.searched ? `${r.searched.note}\n` : '';
  return `${head}\n${searched}seeds ${r.plan.seeds.join(',')}; median over seeds, [min, max] across them; ${r.direction === 'maximize' ? 'higher' : 'lower'} is better\n\n`;
}
