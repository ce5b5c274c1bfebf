/**
 * `studyopt optimize`: run a study on an objective with a sampler, print the best parameters.
 *
 * The study lives in an SQLite file (`--storage`, default ./studyopt.db). Re-running the same
 * command continues the study: `--trials N` is the study's target, so it ends with exactly N
 * finished (COMPLETE or PRUNED) trials however often it was interrupted and however many
 * processes share it (the library's `targetFinished`). `--n-trials N` instead runs N more trials
 * each time, failed ones included (the library's and Optuna's `nTrials`).
 */
import { availableParallelism } from 'node:os';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { ParamValue } from '../../../distributions.js';
import { UsageError } from '../../../errors.js';
import { type PreparedObjective, prepareObjective, runStudiesOnPool } from '../../../executor/index.js';
import type { StudyDirection } from '../../../frozen-trial.js';
import { type OptimizeSummary, optimizeSequential } from '../../../optimize.js';
import { formatPercent } from '../../../progress.js';
import { resolveStorage } from '../../../storage/resolve.js';
import type { Storage } from '../../../storage/storage.js';
import type { Study } from '../../../study.js';
import { createSampler, samplerNames } from '../../../../samplers/index.js';
import { PRUNER_NAMES, createPruner } from '../../../pruners/by-name.js';
import { defaultSampler } from '../../../sampler.js';
import { testFunctionNames } from '../../../../studies/functions/index.js';
import { OBJECTIVE_NAMES } from '../../../../studies/ib/objective.js';
import { metricDirection } from '../../../../studies/ib/metric-catalogue.js';
import { DEFAULT_FAILURE_BUDGET, type FailureBudgetOptions } from '../../../failure-budget.js';
import type { StopReason } from '../../../optimize.js';
import { type DataFingerprint, describeData } from '../../../study-data.js';
import { CLI_CONFIG_KEY, METRIC_NAMES_KEY, openCliStudy } from '../cli-study.js';
import { recordRunTarget } from '../run-target.js';
import { paramLines } from '../param-lines.js';
import { ibSettingsOf } from '../../../../studies/ib/study-settings.js';
import { recordBestTrades } from '../../../../studies/ib/audit.js';
import { DEFAULT_GRID } from '../../../../studies/ib/grids.js';
import { announceSyntheticData } from '../synthetic-notice.js';
import { installInterruptHandler } from '../interrupt.js';
import { type ObjectiveFlags, type ObjectiveSource, type StudyFlags, resolveObjectiveSource } from '../objective-source.js';
import { type WalkForwardFlags, finishWalkForward, formatWalkForward, openWalkForward } from '../walk-forward.js';
import { kebab, samplerFlagDefinitions, samplerOptionsFromArgv } from '../sampler-flags.js';
import { DEFAULT_STORAGE } from './storage-options.js';
import { shellQuote } from '../shell-quote.js';
import { parseJsonObjectFlag } from '../json-object-flag.js';
import { basketBreakdownLines, isBasketAttr } from '../basket-breakdown.js';

interface OptimizeArgs extends StudyFlags {
  sampler?: string;
  samplerOptions?: string;
  pruner?: string;
  prunerOptions?: string;
  trials?: number;
  nTrials?: number;
  timeout?: number;
  studyName?: string;
  direction?: string;
  storage: string;
  symbols?: string;
  walkForward?: string;
  select?: string;
  moduleOptions?: string;
  workers?: number;
  trialTimeout?: number;
  gracePeriod?: number;
  fresh: boolean;
  retryFailed?: boolean;
  staleAfter?: number;
  commitEachTrial?: boolean;
  maxFailuresInARow?: number;
  maxFailureRate?: number;
  acceptNewData?: boolean;
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
  /** WAITING trials: enqueued, or slots a run ended early gave back; the next run takes them first. */
  waiting: number;
  bestValue: number | null;
  bestParams: Record<string, ParamValue> | null;
  elapsedSeconds: number;
  /** Why this run ended (see OptimizeSummary.stopReason); null when it did not run (interrupted before). */
  stopReason: StopReason | null;
  /** With stopReason 'failures': why, and the last failure's reason. */
  failures?: { why: string; lastFailReason: string | null };
  /** The data the study's latest trials ran on (src/study-data.ts), when the objective describes it. */
  data: DataFingerprint | null;
  /** With a grid: its points, and how many of them have a finished (COMPLETE or PRUNED) trial. */
  grid?: { points: number; done: number };
  /** With several objectives (bestValue and bestParams are then null): each one's direction and name, and the Pareto front. */
  multiObjective?: { directions: string[]; metricNames: string[] | null; paretoFront: { number: number; values: number[] }[] };
}

/** The study's total when neither --trials nor --n-trials is given, but for a grid: all its points. */
export const DEFAULT_TRIALS = 100;

/** Exit status of a run that stopped because its trials kept failing. */
export const EXIT_FAILURES = 1;
/** Exit status of a run stopped by Ctrl-C (SIGINT), as shells report 128 + 2. */
export const EXIT_INTERRUPTED = 130;

const command: CommandModule<object, OptimizeArgs> = {
  command: 'optimize',
  describe: 'run (or continue) a study: sample parameters, evaluate the objective, keep the best',
  builder: (y: Argv) =>
    y
      .option('study', { type: 'string', choices: ['ib', 'function', 'module'], describe: "what to optimise: 'ib' (the IB breakout backtest, the default), 'function' (a test function) or 'module' (your objective module); usually implied by --objective" })
      .option('objective', {
        type: 'string',
        describe: `for the IB study the metric to optimise, in its own direction (${OBJECTIVE_NAMES.join(', ')}; default sharpe; ${OBJECTIVE_NAMES.filter((n) => metricDirection(n) === 'minimize').join(', ')} are minimised; docs/metrics.md); or a test function (${testFunctionNames().join(', ')}); or the path of your objective module (.mjs, .js, .ts)`,
      })
      .option('objective-expr', {
        type: 'string',
        describe: "IB: a formula of metric names instead of --objective, maximised unless --direction minimize, e.g. 'sharpe - 0.5 * max_drawdown' (+ - * /, parentheses, min, max, abs, sqrt, log, exp; docs/metrics.md)",
        group: 'IB study:',
      })
      .option('objectives', {
        type: 'string',
        describe: "IB: several metrics at once, e.g. sharpe,max_drawdown (each in its own direction, or name:maximize / name:minimize): the best is the Pareto front, see studyopt best --pick (docs/multi-objective.md); samplers nsga2, nsga3, tpe and gp model several objectives (qmc draws its points without a model; cmaes and de refuse)",
        group: 'IB study:',
      })
      .option('symbol', { type: 'string', describe: 'IB: the symbol (default GER40; built-in synthetic data unless imported)', group: 'IB study:' })
      .option('grid', { type: 'string', choices: ['standard', 'expanded'], describe: `IB: the seed's value lists searched, and the grid the grid sampler walks (default ${DEFAULT_GRID}; studyopt bench's default is standard)`, group: 'IB study:' })
      .option('min-trades', { type: 'number', describe: 'IB: trials with fewer trades are infeasible, never best (default 10)', group: 'IB study:' })
      .option('from', { type: 'string', describe: 'IB: first trading day, YYYY-MM-DD', group: 'IB study:' })
      .option('to', { type: 'string', describe: 'IB: last trading day, YYYY-MM-DD', group: 'IB study:' })
      .option('symbols', { type: 'string', describe: 'IB: several symbols, comma-separated (GER40,XAUUSD): one study each, side by side on one worker pool', group: 'IB study:' })
      .option('basket', {
        type: 'string',
        describe: "IB: one study over several symbols, comma-separated (GER40,XAUUSD): each trial runs on every symbol (each with its own IB window parameter) and --aggregate mean|median|worst combines their values; each symbol's metrics are stored with the trial",
        group: 'IB study:',
      })
      .option('folds', {
        type: 'string',
        describe: "IB: a cross-validated objective: each trial runs on every fold's out-of-sample days, each fold reported as a step, e.g. rolling:is=6m,oos=1m, anchored:is=1y,oos=1m, kfold:k=5,embargo=2, cpcv:n=6,k=2 (docs/validation.md)",
        group: 'IB study:',
      })
      .option('walk-forward', {
        type: 'string',
        describe: "IB: walk-forward optimisation: a study per window searches its in-sample days (--trials each), its best parameters trade the out-of-sample days after it, stitched into one equity curve; rolling:is=6m,oos=1m or anchored:is=1y,oos=1m (docs/validation.md)",
        group: 'IB study:',
      })
      .option('shuffle-folds', { type: 'boolean', describe: 'IB, with --folds: each trial runs the folds in its own shuffled order (the steps stay the fold numbers), so that --pruner wilcoxon sees a fair sample first', group: 'IB study:' })
      .option('select', { type: 'string', describe: "IB, with --walk-forward: the trial each window trades, its best (default) or robust (the best neighbourhood-smoothed trial)", group: 'IB study:' })
      .option('aggregate', { type: 'string', describe: "IB, with --folds or --basket: the trial's value from its folds' or symbols' values: mean (default), median or worst", group: 'IB study:' })
      .option('module-options', { type: 'string', describe: 'options for your objective module, as a JSON object (given to its setup)' })
      .option('workers', { type: 'number', describe: `worker threads evaluating trials (default: the number of cores, ${availableParallelism()}); 1 runs them in this thread` })
      .option('trial-timeout', { type: 'number', describe: 'seconds a trial may run on a worker before it is stopped and FAILs' })
      .option('grace-period', { type: 'number', describe: 'seconds to wait for running trials after Ctrl-C (default 30)' })
      .option('sampler', { type: 'string', describe: `the sampler: ${samplerNames().join(', ')} (default: ${defaultSampler().name})` })
      .option('sampler-options', { type: 'string', describe: 'sampler options as a JSON object, e.g. \'{"multivariate": true}\'' })
      .option('pruner', {
        type: 'string',
        describe: `stop unpromising trials early from the steps they report (the folds of --folds): ${PRUNER_NAMES.join(', ')} (default none)`,
      })
      .option('pruner-options', { type: 'string', describe: 'pruner options as a JSON object, e.g. \'{"pThreshold": 0.05}\' (names as in the library)' })
      .option('trials', {
        type: 'number',
        describe: `the study's total (default ${DEFAULT_TRIALS}; with --sampler grid, the whole grid): it ends with this many finished trials (failed ones do not count), across resumes and processes; the library's targetFinished`,
      })
      .option('n-trials', {
        type: 'number',
        describe: "instead of --trials: run this many more trials, whatever the study holds (failed ones count), as Optuna's and the library's nTrials",
      })
      .option('timeout', { type: 'number', describe: 'stop starting trials after this many seconds' })
      .option('study-name', { type: 'string', describe: 'name of the study (default: <objective>-<sampler>); the same name continues it' })
      .option('direction', { type: 'string', choices: ['minimize', 'maximize'], describe: "override the objective's direction" })
      .option('storage', { type: 'string', default: DEFAULT_STORAGE, describe: "the study file (SQLite, Optuna-compatible), or 'memory' for nothing kept" })
      .option('fresh', { type: 'boolean', default: false, describe: 'start a new study under a new name instead of continuing this one' })
      .option('retry-failed', { type: 'boolean', describe: 'evaluate the parameters of failed trials again (default: on for the grid sampler)' })
      .option('stale-after', { type: 'number', describe: 'seconds without a heartbeat after which a running trial of a crashed run is failed (default 60)' })
      .option('commit-each-trial', {
        type: 'boolean',
        default: false,
        describe: 'commit every trial to the study file as it finishes, even for objectives under 5 ms, which are otherwise committed in groups within 0.1 s (slower; see docs/storage.md)',
      })
      .option('max-failures-in-a-row', {
        type: 'number',
        describe: `stop the run after this many failed trials in a row (exit status 1; default ${DEFAULT_FAILURE_BUDGET.inARow}; 0: no limit)`,
      })
      .option('max-failure-rate', {
        type: 'number',
        describe: `stop the run when more than this fraction of its trials failed, once ${DEFAULT_FAILURE_BUDGET.minTrials} finished (exit status 1; default ${DEFAULT_FAILURE_BUDGET.rate}; 1: no limit)`,
      })
      .option('accept-new-data', {
        type: 'boolean',
        default: false,
        describe: "continue a study on other data than its trials ran on (a new import, say); by default such a run is refused (exit status 2)",
      })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object with the result on stdout' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress line' })
      .options(samplerFlagDefinitions())
      .check((argv) => {
        for (const flag of ['trials', 'nTrials'] as const) {
          if (argv[flag] !== undefined && (!Number.isInteger(argv[flag]) || (argv[flag] as number) < 1)) {
            throw new UsageError(`--${kebab(flag)} must be a positive integer, but got ${argv[flag]}`);
          }
        }
        if (argv.trials !== undefined && argv.nTrials !== undefined) {
          throw new UsageError("give --trials (the study's total) or --n-trials (this many more), not both");
        }
        if (argv.timeout !== undefined && !((argv.timeout as number) > 0)) {
          throw new UsageError(`--timeout must be a positive number of seconds, but got ${argv.timeout}`);
        }
        if (argv.workers !== undefined && (!Number.isInteger(argv.workers) || (argv.workers as number) < 1)) {
          throw new UsageError(`--workers must be a positive integer, but got ${argv.workers}`);
        }
        for (const flag of ['trialTimeout', 'gracePeriod'] as const) {
          if (argv[flag] !== undefined && !((argv[flag] as number) > 0)) throw new UsageError(`--${kebab(flag)} must be a positive number of seconds, but got ${argv[flag]}`);
        }
        if (argv.maxFailuresInARow !== undefined && !(Number.isInteger(argv.maxFailuresInARow) && (argv.maxFailuresInARow as number) >= 0)) {
          throw new UsageError(`--max-failures-in-a-row must be an integer >= 0 (0: no limit), but got ${argv.maxFailuresInARow}`);
        }
        if (argv.maxFailureRate !== undefined && !((argv.maxFailureRate as number) > 0 && (argv.maxFailureRate as number) <= 1)) {
          throw new UsageError(`--max-failure-rate must be a fraction in (0, 1] (1: no limit), but got ${argv.maxFailureRate}`);
        }
        if (argv.staleAfter !== undefined && !((argv.staleAfter as number) > 0)) {
          throw new UsageError(`--stale-after must be a positive number of seconds, but got ${argv.staleAfter}`);
        }
        return true;
      }) as unknown as Argv<OptimizeArgs>,
  handler: async (argv: ArgumentsCamelCase<OptimizeArgs>) => {
    if (argv.objectives !== undefined && argv.walkForward !== undefined) {
      throw new UsageError('--walk-forward trades each window\'s single best trial: give it one --objective (or --objective-expr), not --objectives');
    }
    if (argv.basket !== undefined && (argv.symbols !== undefined || argv.walkForward !== undefined)) {
      throw new UsageError(`--basket makes one study over its symbols: give it without ${argv.symbols !== undefined ? '--symbols (one study per symbol)' : '--walk-forward'}`);
    }
    const symbols = argv.symbols !== undefined ? parseSymbols(argv.symbols, argv) : [undefined];
    if (argv.select !== undefined && argv.walkForward === undefined) throw new UsageError('--select picks the trial each walk-forward window trades: give --walk-forward too (for one study, studyopt best --select robust)');
    const samplerName = argv.sampler ?? defaultSampler().name;
    const samplerOptions = samplerOptionsFromArgv(samplerName, argv, argv.samplerOptions);
    const retryFailed = argv.retryFailed ?? samplerName === 'grid';
    const workers = argv.workers ?? availableParallelism();
    const pruner = argv.pruner !== undefined || argv.prunerOptions !== undefined ? createPruner(argv.pruner ?? 'none', parseJsonObjectFlag('--pruner-options', argv.prunerOptions, '{"pThreshold": 0.05}')) : undefined;
    const storage = openStorage(argv.storage, argv.staleAfter, argv.commitEachTrial ?? false);
    try {
      const runs: Run[] = [];
      // What each study of the run searches: one per symbol, or one per walk-forward window.
      // The parent study samples nothing (its windows do): any sampler will do, and a grid's needs a grid.
      const walkForward = argv.walkForward !== undefined ? openWalkForward(argv as WalkForwardFlags, storage, samplerName, createSampler('random', {}, {})) : null;
      const plans = walkForward
        ? walkForward.windows.map((_, i) => ({ flags: walkForward.flags(i), symbol: undefined, studyName: walkForward.studyName(i), fresh: false }))
        : symbols.map((symbol) => ({ flags: argv as ObjectiveFlags, symbol, studyName: undefined, fresh: argv.fresh }));
      for (const plan of plans) {
        const { symbol } = plan;
        const source = resolveObjectiveSource(plan.flags, symbol);
        if (source.kind === 'ib' && plan === plans[0]) for (const s of ibSymbolsOf(source)) announceSyntheticData(s, argv.json);
        const prepared = await prepareObjective(source.module, source.moduleOptions);
        const mod = prepared.module;
        const grid = typeof mod.grid === 'function' ? mod.grid() : mod.grid;
        const sampler = createSampler(samplerName, samplerOptions, { grid, retryFailed });
        // The study's total: as given, else a grid's every point, else the default.
        const target = argv.trials ?? sampler.searchSize ?? DEFAULT_TRIALS;
        const baseName = argv.studyName ?? `${source.name}-${samplerName}`;
        const data = mod.dataFingerprint?.() ?? null;
        const directions = source.directions ?? (mod.directions && mod.directions.length > 1 ? mod.directions : undefined);
        if (directions && argv.direction !== undefined) {
          throw new UsageError(`--direction sets one objective's direction; this study has ${directions.length} objectives: give each its own as --objectives sharpe:maximize,max_drawdown:minimize`);
        }
        const { study, resumed, data: dataCheck } = openCliStudy({
          storage,
          studyName: plan.studyName ?? (argv.studyName !== undefined && symbol !== undefined ? `${baseName}-${symbol}` : baseName),
          fresh: plan.fresh,
          direction: (argv.direction as StudyDirection | undefined) ?? source.direction ?? mod.direction ?? 'minimize',
          directions,
          metricNames: source.metricNames,
          sampler,
          pruner,
          constraints: mod.constraints,
          space: prepared.space,
          config: source.config,
          offWhenAbsent: source.offWhenAbsent,
          data: data ?? undefined,
          acceptDataChange: argv.acceptNewData,
        });
        if (argv.nTrials === undefined) recordRunTarget(study, { finished: target, searchSize: sampler.searchSize ?? null });
        if (resumed && retryFailed && samplerName !== 'grid') requeueStaleTrials(study);
        if (resumed && !argv.json && !argv.quiet) {
          const done = study.getTrials({ states: ['COMPLETE', 'PRUNED'] }).length;
          process.stderr.write(
            argv.nTrials !== undefined
              ? `continuing study '${study.studyName}' (${done} trials finished): ${argv.nTrials} more\n`
              : `continuing study '${study.studyName}': ${done} of ${target} trials already finished\n`,
          );
        }
        if (dataCheck === 'changed' && !argv.json) {
          process.stderr.write(`study '${study.studyName}' continues on new data (--accept-new-data): ${describeData(data!)}; its earlier trials ran on other data\n`);
        }
        runs.push({ source, prepared, study, data, target });
      }
      const force = new AbortController();
      const interrupt = installInterruptHandler(
        () => {
          if (!argv.json) process.stderr.write('\nstopping: finishing the trials in flight (Ctrl-C again to stop them at once)\n');
        },
        () => {
          if (!argv.json) process.stderr.write('\nstopping now: the trials in flight are recorded as failed\n');
          force.abort();
        },
      );
      // --trials counts the study's finished trials (the target); --n-trials this run's trials.
      const counting = (r: Run): { nTrials: number } | { targetFinished: number } => (argv.nTrials !== undefined ? { nTrials: argv.nTrials } : { targetFinished: r.target });
      const runOptions = { timeout: argv.timeout, seed: argv.seed as number | undefined, failureBudget: failureBudgetOf(argv) };
      let summaries: OptimizeSummary[];
      try {
        if (workers === 1) {
          summaries = [];
          for (const r of runs) {
            if (interrupt.signal.aborted) break;
            summaries.push(await optimizeSequential(r.study, r.prepared.module.objective, { ...counting(r), ...runOptions, showProgress: !argv.quiet && !argv.json, signal: interrupt.signal }));
          }
        } else {
          summaries = await runStudiesOnPool(
            runs.map((r) => ({ ...counting(r), ...runOptions, study: r.study, objective: r.prepared })),
            { workers, trialTimeout: argv.trialTimeout, gracePeriod: argv.gracePeriod, signal: interrupt.signal, forceSignal: force.signal, showProgress: !argv.quiet && !argv.json },
          );
        }
      } finally {
        interrupt.dispose();
      }
      // For audits (studyopt verify): the best trial's trades, trade by trade, with each IB study.
      if (!walkForward) for (const r of runs) if (r.source.kind === 'ib' && !r.study.isMultiObjective) recordTradesOfBest(r.study);
      const results = runs.map((r, i) => resultJson(r.study, samplerName, summaries[i], r.data));
      if (walkForward) {
        // Evaluated once every window is searched; an interrupted run leaves that to its resume.
        const outcome = interrupt.signal.aborted ? null : finishWalkForward(walkForward, runs.map((r) => r.study));
        if (argv.json) {
          process.stdout.write(`${JSON.stringify({ studyName: walkForward.parent.studyName, walkForward: outcome, windows: results })}\n`);
        } else {
          const searched = results.filter((r) => r.bestValue !== null).length;
          process.stdout.write(
            outcome ? formatWalkForward(outcome) : `walk-forward ${walkForward.spec}: ${searched} of ${runs.length} windows searched; the result comes once all are\n`,
          );
          process.stdout.write(whereAndHowToResume(runs, argv, summaries, walkForward.parent));
        }
      } else if (argv.json) {
        process.stdout.write(`${JSON.stringify(results.length === 1 && argv.symbols === undefined ? results[0] : { studies: results })}\n`);
      } else {
        runs.forEach((r, i) => {
          const result = results[i];
          const bestMetrics = result.bestValue === null ? null : { ...r.study.bestTrial.userAttrs };
          if (i > 0) process.stdout.write('\n');
          process.stdout.write(formatResult(result, r.source, summaries[i] ?? null, bestMetrics));
        });
        process.stdout.write(whereAndHowToResume(runs, argv, summaries));
      }
      const failed = summaries.filter((s) => s.stopReason === 'failures');
      for (const [i, s] of summaries.entries()) {
        if (s.stopReason !== 'failures') continue;
        process.stderr.write(
          `studyopt: study '${runs[i].study.studyName}' stopped because ${s.failures?.why ?? 'too many trials failed'}; the last failure: ${s.failures?.lastFailReason ?? 'no reason recorded'}\n` +
            "  fix the objective (see the trials' fail_reason: studyopt trials --state fail), or loosen the budget with --max-failures-in-a-row / --max-failure-rate\n",
        );
      }
      // Scripts tell an interrupted run (130, as shells report SIGINT) and a broken objective (1) from a finished one (0).
      if (interrupt.signal.aborted) process.exitCode = EXIT_INTERRUPTED;
      else if (failed.length > 0) process.exitCode = EXIT_FAILURES;
    } finally {
      storage.close();
    }
  },
};

interface Run {
  source: ObjectiveSource;
  prepared: PreparedObjective;
  study: Study;
  data: DataFingerprint | null;
  /** The study's total of finished trials (--trials, or a grid's every point). */
  target: number;
}

/** Records the best trial's trades; a best trial on data the user replaced since is left as it is. */
function recordTradesOfBest(study: Study): void {
  try {
    recordBestTrades(study.storage, study.studyId);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
  }
}

/** The flags' failure budget; 0 in a row and a rate of 1 mean no limit. */
function failureBudgetOf(argv: OptimizeArgs): FailureBudgetOptions {
  const budget: FailureBudgetOptions = {};
  if (argv.maxFailuresInARow !== undefined) budget.inARow = argv.maxFailuresInARow === 0 ? Infinity : argv.maxFailuresInARow;
  if (argv.maxFailureRate !== undefined) budget.rate = argv.maxFailureRate;
  return budget;
}

/** The symbols an IB source runs on: its symbol, or a basket's. */
function ibSymbolsOf(source: ObjectiveSource): string[] {
  return Array.isArray(source.config.symbols) ? (source.config.symbols as string[]) : [source.config.symbol as string];
}

/** `--symbols GER40,XAUUSD`: one study per symbol, run side by side. */
function parseSymbols(list: string, argv: OptimizeArgs): string[] {
  const symbols = list.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  if (symbols.length === 0) throw new UsageError(`--symbols must list symbols separated by commas, e.g. GER40,XAUUSD, but got '${list}'`);
  if (new Set(symbols).size !== symbols.length) throw new UsageError(`--symbols lists a symbol twice: ${list}`);
  if (argv.symbol !== undefined) throw new UsageError('give either --symbol or --symbols, not both');
  return symbols;
}

export default command;

/** The run's store, with the flags every store may take as run hints. */
function openStorage(spec: string, staleAfter: number | undefined, commitEachTrial: boolean): Storage {
  return resolveStorage(spec, { staleAfterSeconds: staleAfter, commitEachTrial });
}

/**
 * Fails the running trials of a crashed run (stale heartbeats) and queues their parameters
 * again, so that `--retry-failed` evaluates them in this run. (The grid sampler re-claims the
 * points of failed trials by itself.)
 */
function requeueStaleTrials(study: Study): void {
  const grace = study.storage.gracePeriod;
  if (grace === undefined) return;
  for (const trialId of study.storage.failStaleTrials(study.studyId, grace)) {
    const t = study.storage.getTrial(trialId);
    if (Object.keys(t.params).length > 0) study.enqueueTrial({ ...t.params }, { skipIfExists: true });
  }
}

function resultJson(study: Study, samplerName: string, summary: OptimizeSummary | undefined, data: DataFingerprint | null): OptimizeJson {
  const trials = study.trials;
  let best: { value: number; params: Record<string, ParamValue> } | null = null;
  try {
    const t = study.isMultiObjective ? null : study.bestTrial;
    best = t ? { value: t.values![0], params: { ...t.params } } : null;
  } catch {
    best = null;
  }
  const names = study.systemAttrs[METRIC_NAMES_KEY];
  return {
    studyName: study.studyName,
    sampler: samplerName,
    direction: study.directions.join(', '),
    ...(study.isMultiObjective
      ? {
          multiObjective: {
            directions: [...study.directions],
            metricNames: Array.isArray(names) ? (names as string[]) : null,
            paretoFront: study.bestTrials.map((t) => ({ number: t.number, values: [...t.values!] })),
          },
        }
      : {}),
    nTrials: trials.length,
    completed: trials.filter((t) => t.state === 'COMPLETE').length,
    failed: trials.filter((t) => t.state === 'FAIL').length,
    waiting: trials.filter((t) => t.state === 'WAITING').length,
    ...(study.sampler.searchSize !== undefined
      ? { grid: { points: study.sampler.searchSize, done: trials.filter((t) => t.state === 'COMPLETE' || t.state === 'PRUNED').length } }
      : {}),
    bestValue: best?.value ?? null,
    bestParams: best?.params ?? null,
    elapsedSeconds: summary?.elapsedSeconds ?? 0,
    stopReason: summary?.stopReason ?? null,
    ...(summary?.failures ? { failures: { ...summary.failures } } : {}),
    data,
  };
}

function formatResult(r: OptimizeJson, source: ObjectiveSource, summary: OptimizeSummary | null, bestMetrics: Record<string, unknown> | null): string {
  const why = summary?.stopReason === 'aborted' ? ' (interrupted)' : summary?.stopReason === 'failures' ? ' (stopped: its trials kept failing)' : '';
  const thisRun = summary ? `this run ${summary.nTrials} trials in ${summary.elapsedSeconds.toFixed(2)} s${why}` : 'not run (interrupted)';
  const waiting = r.waiting > 0 ? `, ${r.waiting} waiting (the next run takes them first)` : '';
  const lines = [`study '${r.studyName}' (${r.sampler}, ${r.direction}): ${r.nTrials} trials, ${r.completed} complete, ${r.failed} failed${waiting}; ${thisRun}`];
  if (r.grid) lines.push(`grid: ${r.grid.done} of ${r.grid.points} points done (${formatPercent(r.grid.done / r.grid.points)})`);
  if (r.data) lines.push(`data: ${describeData(r.data)}`);
  if (source.kind === 'ib') lines.push(`searched: the ${String(source.config.grid)} IB grid's value lists (studyopt bench compares samplers on the standard grid by default; --grid standard|expanded)`);
  if (r.multiObjective) {
    const { paretoFront: front, metricNames } = r.multiObjective;
    const label = (i: number) => metricNames?.[i] ?? `value ${i}`;
    lines.push(`Pareto front: ${front.length} trial${front.length === 1 ? '' : 's'} that no other trial beats on every objective (${r.multiObjective.directions.map((d, i) => `${label(i)} ${d}`).join(', ')})`);
    for (const t of front.slice(0, 10)) lines.push(`  trial ${t.number}: ${t.values.map((v, i) => `${label(i)} ${Number(v.toFixed(4))}`).join(', ')}`);
    if (front.length > 10) lines.push(`  ... and ${front.length - 10} more`);
    lines.push(`list and choose one: studyopt best --study-name ${shellQuote(r.studyName)} --pick knee (or --pick 'max ${label(0)} where ${label(1)} < X'; docs/multi-objective.md)`);
  } else if (r.bestValue === null) {
    lines.push(`no feasible trial completed yet: see the trials' fail_reason (studyopt trials --state fail)${source.kind === 'ib' ? ', or lower --min-trades' : ''}`);
  } else {
    lines.push(`best value: ${r.bestValue}${source.optimum !== undefined ? ` (known optimum ${source.optimum})` : ''}`);
    lines.push('best parameters:', ...paramLines(r.bestParams!, ibSettingsOf({ [CLI_CONFIG_KEY]: source.config })));
    const shown = Object.entries(bestMetrics ?? {}).filter(([k]) => !isBasketAttr(k));
    if (shown.length > 0) {
      lines.push('its metrics:');
      const w = Math.max(...shown.map(([k]) => k.length));
      for (const [k, v] of shown) lines.push(`  ${k.padEnd(w)}  ${typeof v === 'number' ? Number(v.toFixed(4)) : JSON.stringify(v)}`);
    }
    if (bestMetrics) lines.push(...basketBreakdownLines(bestMetrics));
  }
  return `${lines.join('\n')}\n`;
}

/** Where the studies are stored, and the exact command that continues them. */
function whereAndHowToResume(runs: readonly Run[], argv: ArgumentsCamelCase<OptimizeArgs>, summaries: readonly OptimizeSummary[], walkForwardParent?: Study): string {
  const studies = walkForwardParent ? [walkForwardParent] : runs.map((r) => r.study);
  if (argv.storage === 'memory' || argv.storage === ':memory:') return '';
  const args = process.argv.slice(2).filter((a) => a !== '--fresh' && a !== '--accept-new-data');
  // With --fresh the run made a new name: name it, so the command continues this study.
  if (studies.length === 1 && !args.includes('--study-name')) args.push('--study-name', studies[0].studyName);
  const names = walkForwardParent
    ? `'${walkForwardParent.studyName}' (the walk-forward) and '${runs[0].study.studyName}' to '${runs[runs.length - 1].study.studyName}' (its windows)`
    : studies.map((s) => `'${s.studyName}'`).join(', ');
  const unfinished = summaries.length < studies.length || summaries.some((s) => s.stopReason === 'aborted' || s.stopReason === 'timeout' || s.stopReason === 'stopped' || s.stopReason === 'failures');
  const exhausted = summaries.length === studies.length && summaries.every((s) => s.stopReason === 'exhausted');
  const reports = studies.map((s) => `open its report: studyopt report --study-name ${shellQuote(s.studyName)} --storage ${shellQuote(argv.storage)} --out ${s.studyName.replace(/[^\w.-]+/g, '_')}.html`);
  let next: string;
  const failing = summaries.some((s) => s.stopReason === 'failures');
  if (unfinished) next = `${failing ? 'once the objective is fixed, resume' : 'resume'} with: studyopt ${args.map(shellQuote).join(' ')}`;
  else if (exhausted || runs.every((r) => r.target === r.study.sampler.searchSize)) next = 'the search space is exhausted (every grid point ran): nothing is left to continue';
  else if (argv.nTrials !== undefined) next = `run ${argv.nTrials} more with: studyopt ${args.map(shellQuote).join(' ')}`;
  else next = `continue with a larger target (--trials is ${walkForwardParent ? "each window study's" : "the study's"} total): studyopt ${withTrials(args, largerTarget(argv.trials ?? DEFAULT_TRIALS)).map(shellQuote).join(' ')}`;
  return `stored in ${argv.storage} as ${studies.length === 1 && !walkForwardParent ? 'study' : 'studies'} ${names}\n${next}\n${reports.join('\n')}\n`;
}

/** The next target to suggest once a study reached `trials`: double it. */
function largerTarget(trials: number): number {
  return trials * 2;
}

/** The command's arguments with `--trials` set to `n` (replaced where given, added where not). */
function withTrials(args: readonly string[], n: number): string[] {
  const out: string[] = [];
  let replaced = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--trials' && i + 1 < args.length) {
      out.push('--trials', String(n));
      i++;
      replaced = true;
    } else if (args[i].startsWith('--trials=')) {
      out.push(`--trials=${n}`);
      replaced = true;
    } else {
      out.push(args[i]);
    }
  }
  if (!replaced) out.push('--trials', String(n));
  return out;
}
