/**
 * `studyopt optimize`: run a study on an objective with a sampler, print the best parameters.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { ParamValue } from '../../distributions.js';
import { UsageError } from '../../errors.js';
import type { OptimizeSummary } from '../../optimize.js';
import { createStudy, type Study } from '../../study.js';
import { createSampler, defaultSampler, samplerNames } from '../../../samplers/index.js';
import { testFunctionNames } from '../../../studies/functions/index.js';
import { OBJECTIVE_NAMES } from '../../../studies/ib/objective.js';
import { type ObjectiveSource, resolveObjectiveSource } from '../objective-source.js';
import { samplerFlagDefinitions, samplerOptionsFromArgv } from '../sampler-flags.js';
import { installInterruptHandler } from '../interrupt.js';

interface OptimizeArgs {
  study?: string;
  objective?: string;
  symbol?: string;
  grid?: string;
  minTrades?: number;
  from?: string;
  to?: string;
  sampler?: string;
  samplerOptions?: string;
  trials: number;
  timeout?: number;
  studyName?: string;
  direction?: string;
  storage: string;
  json: boolean;
  quiet: boolean;
  [option: string]: unknown;
}

/** The JSON printed by `--json`: exactly one object on stdout. */
export interface OptimizeJson {
  studyName: string;
  sampler: string;
  direction: string;
  nTrials: number;
  completed: number;
  failed: number;
  bestValue: number | null;
  bestParams: Record<string, ParamValue> | null;
  elapsedSeconds: number;
}

const command: CommandModule<object, OptimizeArgs> = {
  command: 'optimize',
  describe: 'run a study: sample parameters, evaluate the objective, keep the best',
  builder: (y: Argv) =>
    y
      .option('study', { type: 'string', choices: ['ib', 'function'], describe: "what to optimise: 'ib' (the IB breakout backtest, the default) or 'function' (a test function)" })
      .option('objective', {
        type: 'string',
        describe: `for the IB study the metric to maximise (${OBJECTIVE_NAMES.join(', ')}; default sharpe); otherwise a test function (${testFunctionNames().join(', ')})`,
      })
      .option('symbol', { type: 'string', describe: 'IB: the symbol (default GER40; built-in synthetic data unless imported)', group: 'IB study:' })
      .option('grid', { type: 'string', choices: ['standard', 'expanded'], describe: "IB: the seed's value lists searched, and the grid the grid sampler walks (default expanded)", group: 'IB study:' })
      .option('min-trades', { type: 'number', describe: 'IB: trials with fewer trades are infeasible, never best (default 10)', group: 'IB study:' })
      .option('from', { type: 'string', describe: 'IB: first trading day, YYYY-MM-DD', group: 'IB study:' })
      .option('to', { type: 'string', describe: 'IB: last trading day, YYYY-MM-DD', group: 'IB study:' })
      .option('sampler', { type: 'string', describe: `the sampler: ${samplerNames().join(', ')} (default: ${defaultSampler().name})` })
      .option('sampler-options', { type: 'string', describe: 'sampler options as a JSON object, e.g. \'{"multivariate": true}\'' })
      .option('trials', { type: 'number', default: 100, describe: 'number of trials to run' })
      .option('timeout', { type: 'number', describe: 'stop starting trials after this many seconds' })
      .option('study-name', { type: 'string', describe: 'name of the study (default: <objective>-<sampler>)' })
      .option('direction', { type: 'string', choices: ['minimize', 'maximize'], describe: "override the objective's direction" })
      .option('storage', { type: 'string', default: 'memory', describe: "where the study lives ('memory')" })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object with the result on stdout' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress line' })
      .options(samplerFlagDefinitions())
      .check((argv) => {
        if (!Number.isInteger(argv.trials) || (argv.trials as number) < 1) {
          throw new UsageError(`--trials must be a positive integer, but got ${argv.trials}`);
        }
        if (argv.timeout !== undefined && !((argv.timeout as number) > 0)) {
          throw new UsageError(`--timeout must be a positive number of seconds, but got ${argv.timeout}`);
        }
        return true;
      }) as unknown as Argv<OptimizeArgs>,
  handler: async (argv: ArgumentsCamelCase<OptimizeArgs>) => {
    const source = resolveObjectiveSource(argv);
    const samplerName = argv.sampler ?? defaultSampler().name;
    const samplerOptions = samplerOptionsFromArgv(samplerName, argv, argv.samplerOptions);
    const sampler = createSampler(samplerName, samplerOptions, { grid: source.grid });
    const direction = (argv.direction as 'minimize' | 'maximize' | undefined) ?? source.direction;
    const studyName = argv.studyName ?? `${source.name}-${samplerName}`;
    const study = createStudy({ studyName, direction, sampler, storage: argv.storage, loadIfExists: true, constraints: source.constraints });
    const interrupt = installInterruptHandler(() => {
      if (!argv.json) process.stderr.write('\nstopping after the trial in flight (Ctrl-C again to quit at once)\n');
    });
    let summary: OptimizeSummary;
    try {
      summary = await study.optimize(source.objective, {
        nTrials: argv.trials,
        timeout: argv.timeout,
        showProgress: !argv.quiet,
        signal: interrupt.signal,
      });
    } finally {
      interrupt.dispose();
    }
    const result = resultJson(study, samplerName, summary);
    if (argv.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(formatResult(result, source, summary, result.bestValue === null ? null : { ...study.bestTrial.userAttrs }));
  },
};

export default command;

function resultJson(study: Study, samplerName: string, summary: OptimizeSummary): OptimizeJson {
  const trials = study.trials;
  let best: { value: number; params: Record<string, ParamValue> } | null = null;
  try {
    const t = study.bestTrial;
    best = { value: t.values![0], params: { ...t.params } };
  } catch {
    best = null;
  }
  return {
    studyName: study.studyName,
    sampler: samplerName,
    direction: study.direction,
    nTrials: trials.length,
    completed: trials.filter((t) => t.state === 'COMPLETE').length,
    failed: trials.filter((t) => t.state === 'FAIL').length,
    bestValue: best?.value ?? null,
    bestParams: best?.params ?? null,
    elapsedSeconds: summary.elapsedSeconds,
  };
}

function formatResult(r: OptimizeJson, source: ObjectiveSource, summary: OptimizeSummary, bestMetrics: Record<string, unknown> | null): string {
  const lines = [
    `study '${r.studyName}' (${r.sampler}, ${r.direction}): ${r.nTrials} trials, ${r.completed} complete, ${r.failed} failed, ${r.elapsedSeconds.toFixed(2)} s${summary.stopReason === 'aborted' ? ' (interrupted)' : ''}`,
  ];
  if (r.bestValue === null) {
    lines.push('no trial completed: see the failed trials\' fail_reason');
  } else {
    lines.push(`best value: ${r.bestValue}${source.optimum !== undefined ? ` (known optimum ${source.optimum})` : ''}`);
    lines.push('best parameters:');
    const width = Math.max(...Object.keys(r.bestParams!).map((k) => k.length));
    for (const [k, v] of Object.entries(r.bestParams!)) lines.push(`  ${k.padEnd(width)}  ${JSON.stringify(v)}`);
    if (bestMetrics && Object.keys(bestMetrics).length > 0) {
      lines.push('its metrics:');
      const w = Math.max(...Object.keys(bestMetrics).map((k) => k.length));
      for (const [k, v] of Object.entries(bestMetrics)) lines.push(`  ${k.padEnd(w)}  ${typeof v === 'number' ? Number(v.toFixed(4)) : JSON.stringify(v)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
