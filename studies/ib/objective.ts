/**
 * The IB backtest as a studyopt objective module (DESIGN.md "Objective modules").
 *
 *   prepareShared(options)  loads data once, into shared memory for a worker pool
 *   setup({ symbol, grid, objective, minTrades, from, to }, { shared })  builds the engine per process
 *   space(options)          the search space as data (for executors that pre-sample)
 *   objective(trial)        define-by-run over the IB space → the chosen metric, or the expression's value
 *   direction               the metric's (metric-catalogue.ts; an expression's: maximize), set by setup
 *   grid('standard' | 'expanded')   the seed's grids as explicit points for the grid sampler
 *   constraints(frozenTrial)        [minTrades − trades]: feasible when ≤ 0 (Optuna convention)
 *   dataFingerprint()               the candles the trials run on (src/study-data.ts)
 *
 * Every metric is stored on the trial with setUserAttr, so reports and rankings need no re-run.
 */
import { categoricalDistribution, ordinalDistribution } from '../../src/distributions.js';
import { TrialPruned, UsageError } from '../../src/errors.js';
import { type DayRange, dayCount } from '../../src/validation/folds.js';
import type { MetricScaling } from '../../src/validation/walk-forward-efficiency.js';
import { type Aggregate, type IbFolds, aggregateFolds, checkCrossValidation, evaluatedDays, foldOrder, ibFolds } from './cross-validation.js';
import type { FrozenTrial, StudyDirection } from '../../src/frozen-trial.js';
import type { Trial } from '../../src/trial.js';
import { loadSymbolData, type SymbolData } from './data/store.js';
import { IbEngine } from './engine/engine.js';
import { ibDataFingerprint, type IbDataFingerprint } from './data/fingerprint.js';
import { DEFAULT_GRID, GRID_VALUES, type GridName, type GridValues, IbGrid } from './grids.js';
import { DEFAULT_INITIAL_BALANCE, DEFAULT_RISK_PCT, type IbMetrics } from './metrics.js';
import type { IbParams, StopMode } from './params.js';
import { DEFAULT_MIN_TRADES } from './ranking.js';
import { METRIC_NAMES, type MetricName, metricEntry, metricScaling, metricValue } from './metric-catalogue.js';
import { EXPRESSION_DIRECTION, compileObjectiveExpression } from './objective-expression.js';
import { type SharedSymbolData, fromShared, signalTablesOf, toShared } from './shared-data.js';
import type { DeclaredSpace } from '../../src/search-space.js';
import { declareSpace } from '../../src/space-constraints.js';
import { type IbObjective, parseObjectives } from './objectives.js';

/** The metrics a study can optimise: the catalogue's (metric-catalogue.ts). */
export const OBJECTIVE_NAMES: readonly MetricName[] = METRIC_NAMES;
export type ObjectiveName = MetricName;

/**
 * The study's direction for the objective set up last (the default's, sharpe: maximize): the
 * catalogue's for a metric, maximize for an expression. A live binding that setup updates;
 * objectiveOf(options).direction gives it before setup.
 */
export let direction: StudyDirection = 'maximize';

/** With several objectives (`objectives`), each one's direction, set by setup; undefined with one. */
export let directions: StudyDirection[] | undefined;

export interface IbStudyOptions {
  /** Default GER40 (built-in synthetic data unless imported). */
  symbol?: string;
  /** Value lists of the search space for samplers, and the grid for the grid sampler. Default expanded. */
  grid?: GridName;
  objective?: ObjectiveName;
  /**
   * A custom objective instead of `objective`: an expression of metric names, e.g.
   * `sharpe - 0.5 * max_drawdown` (objective-expression.ts); maximised.
   */
  objectiveExpr?: string;
  /**
   * Several metrics at once instead (objectives.ts): `sharpe,max_drawdown`, each optionally
   * `:maximize` or `:minimize`; the trial's values are theirs, in this order.
   */
  objectives?: string;
  minTrades?: number;
  from?: string;
  to?: string;
  /**
   * Cross-validated objective (cross-validation.ts): the folds (`rolling:is=6m,oos=1m`, ...) on
   * whose out-of-sample days each trial runs, and how their values make the trial's (default mean).
   */
  folds?: string;
  aggregate?: Aggregate;
  /** Evaluate the folds in a shuffled order per trial (cross-validation.ts foldOrder), for WilcoxonPruner. */
  shuffleFolds?: boolean;
}

/** What a trial returns: one metric or an expression of several, from a backtest's metrics. */
export interface IbObjectiveFunction {
  /** The metric's name, or the expression's text. */
  readonly label: string;
  readonly direction: StudyDirection;
  /** How the value grows with the period's length (walk-forward efficiency); an expression's as a rate. */
  readonly scaling: MetricScaling;
  value(metrics: IbMetrics, tradingDays: number): number;
}

/** The objective the options choose: `objectiveExpr` compiled, else the `objective` metric (default sharpe). */
export function objectiveOf(options: Pick<IbStudyOptions, 'objective' | 'objectiveExpr'>): IbObjectiveFunction {
  if (options.objectiveExpr !== undefined) {
    if (options.objective !== undefined) {
      throw new UsageError(`give --objective ${options.objective} (one metric) or --objective-expr (a formula of metrics), not both`);
    }
    const expression = compileObjectiveExpression(options.objectiveExpr);
    return { label: expression.text, direction: EXPRESSION_DIRECTION, scaling: 'rate', value: (m, days) => expression.value(m, days) };
  }
  const name = options.objective ?? 'sharpe';
  const entry = metricEntry(name);
  return { label: name, direction: entry.direction, scaling: entry.scaling, value: (m, days) => metricValue(name as MetricName, m, days) };
}

interface Context {
  options: Required<Pick<IbStudyOptions, 'symbol' | 'grid' | 'minTrades'>>;
  objective: IbObjectiveFunction;
  /** With several objectives: them, in order (objective then is the first). */
  objectives: readonly IbObjective[] | null;
  data: SymbolData;
  engine: IbEngine;
  /** The days the stored metrics cover (cross-validation.ts evaluatedDays). */
  days: readonly DayRange[];
  cv: { folds: IbFolds; aggregate: Aggregate; shuffled: boolean } | null;
}

let context: Context | null = null;

/** Checks the options and fills in their defaults. */
function resolveOptions(options: IbStudyOptions): Context['options'] {
  objectiveOf(options);
  objectivesOf(options);
  const gridName = options.grid ?? DEFAULT_GRID;
  if (gridName !== 'standard' && gridName !== 'expanded') {
    throw new UsageError(`--grid ${JSON.stringify(gridName)} must be standard or expanded`);
  }
  checkCrossValidation(options.folds, options.aggregate);
  const minTrades = options.minTrades ?? DEFAULT_MIN_TRADES;
  if (!Number.isInteger(minTrades) || minTrades < 0) throw new UsageError(`--min-trades must be an integer >= 0, got ${minTrades}`);
  return { symbol: options.symbol ?? 'GER40', grid: gridName, minTrades };
}

/**
 * Loads the symbol's data once in the main thread, into one SharedArrayBuffer that every worker
 * of a pool then views without copying (docs/parallel.md).
 */
export function prepareShared(options: IbStudyOptions = {}): SharedSymbolData {
  const o = resolveOptions(options);
  return toShared(loadSymbolData(o.symbol, { from: options.from, to: options.to }));
}

/**
 * Builds the engine on the symbol's data; call once per process (each worker of a pool too).
 * With `context.shared` (from prepareShared) the data is the shared memory; otherwise it is loaded.
 */
export function setup(options: IbStudyOptions = {}, setupContext?: { shared?: unknown }): void {
  const o = resolveOptions(options);
  const shared = setupContext?.shared as SharedSymbolData | undefined;
  const data = shared ? fromShared(shared) : loadSymbolData(o.symbol, { from: options.from, to: options.to });
  const chosen = objectiveOf(options);
  const several = objectivesOf(options);
  direction = several ? several[0].direction : chosen.direction;
  directions = several ? several.map((x) => x.direction) : undefined;
  context = {
    options: { ...o, symbol: data.data.symbol.name },
    objective: chosen,
    objectives: several,
    data,
    // On a pool, every worker reads the signal tables one of them built (shared-signal-tables.ts).
    engine: new IbEngine(data.data, shared ? signalTablesOf(shared) : undefined),
    days: evaluatedDays(data.dayFrom, data.dayTo, options.folds),
    cv: options.folds ? { folds: ibFolds(options.folds, data.dayFrom, data.dayTo), aggregate: checkCrossValidation(options.folds, options.aggregate)!, shuffled: options.shuffleFolds ?? false } : null,
  };
}

/**
 * The search space as data, so that an executor can sample every parameter before the objective
 * runs (the same parameters, in the same order, as suggestIbParams suggests them).
 */
export function space(options: IbStudyOptions = {}): DeclaredSpace {
  const { grid: gridName } = resolveOptions(options);
  return ibSpace(ctx().data.data.symbol.ibWindows, GRID_VALUES[gridName]);
}

/**
 * The IB search space over a symbol's IB windows and a grid's value lists, as suggestIbParams
 * suggests it. `windowParam` names the IB window's parameter (a basket has one per symbol).
 * Constrained (src/space-constraints.ts) by the grids' rule (grids.ts): TSL_SL <= TSL_TARGET
 * where TSL_SL is active, so no sampler proposes a point that suggestIbParams would clamp.
 */
export function ibSpace(windows: readonly string[], g: GridValues, windowParam = 'IB_WINDOW'): DeclaredSpace {
  return declareSpace<DeclaredSpace>({
    [windowParam]: categoricalDistribution(windows),
    IB_WAIT_MINUTES: ordinalDistribution(g.IB_WAIT_MINUTES),
    TRADE_WINDOW_MINUTES: ordinalDistribution(g.TRADE_WINDOW_MINUTES),
    RR_TARGET: ordinalDistribution(g.RR_TARGET),
    STOP_MODE: categoricalDistribution(g.STOP_MODE),
    TSL_TARGET: ordinalDistribution(g.TSL_TARGET),
    TSL_SL: { distribution: ordinalDistribution(g.TSL_SL), when: (p) => (p.TSL_TARGET as number) > 0 },
    REV_RB_ENABLED: categoricalDistribution(g.REV_RB_ENABLED),
    REV_RB_PCT: { distribution: ordinalDistribution(g.REV_RB_PCT), when: (p) => p.REV_RB_ENABLED === true },
    IB_BUFFER_PCT: ordinalDistribution(g.IB_BUFFER_PCT),
    MAX_DISTANCE_PCT: ordinalDistribution(g.MAX_DISTANCE_PCT),
  }).constrain(trailingStepWithinTarget);
}

/** The trailing stop's step is no wider than its target (TSL_SL <= TSL_TARGET), where it exists. */
function trailingStepWithinTarget(p: Readonly<Record<string, unknown>>): boolean {
  return p.TSL_SL === undefined || (p.TSL_SL as number) <= (p.TSL_TARGET as number);
}

function ctx(): Context {
  if (context === null) setup();
  return context!;
}

/** Largest value of `values` that is <= limit (values ascending; the first when none is). */
function largestAtMost(values: readonly number[], limit: number): number {
  let best = values[0];
  for (const v of values) if (v <= limit) best = v;
  return best;
}

/**
 * Suggests one IB parameter set on `trial`, define-by-run with the grid's conditions: TSL_SL
 * only when TSL_TARGET > 0 (clamped to the largest grid value <= TSL_TARGET, as the grid prunes),
 * REV_RB_PCT only when REV_RB is on. Ordered value lists are suggested as ordinals. Parameters
 * not suggested take the first value of their list (MIN_SL_PCT always: one value per grid).
 * This is the one rule that turns a trial's parameters into the engine's; re-runs of stored
 * trials apply it too (study-settings.ts). `windowParam` names the IB window's parameter (a
 * basket has one per symbol, basket.ts).
 */
export function suggestIbParams(trial: Trial, windows: readonly string[], g: GridValues, windowParam = 'IB_WINDOW'): IbParams {
  const IB_WINDOW = trial.suggestCategorical(windowParam, windows);
  const IB_WAIT_MINUTES = trial.suggestOrdinal('IB_WAIT_MINUTES', g.IB_WAIT_MINUTES);
  const TRADE_WINDOW_MINUTES = trial.suggestOrdinal('TRADE_WINDOW_MINUTES', g.TRADE_WINDOW_MINUTES);
  const RR_TARGET = trial.suggestOrdinal('RR_TARGET', g.RR_TARGET);
  const STOP_MODE = trial.suggestCategorical<StopMode>('STOP_MODE', g.STOP_MODE);
  const TSL_TARGET = trial.suggestOrdinal('TSL_TARGET', g.TSL_TARGET);
  let TSL_SL = g.TSL_SL[0];
  if (TSL_TARGET > 0) {
    const suggested = trial.suggestOrdinal('TSL_SL', g.TSL_SL);
    TSL_SL = suggested <= TSL_TARGET ? suggested : largestAtMost(g.TSL_SL, TSL_TARGET);
    if (TSL_SL !== suggested) trial.setUserAttr('TSL_SL_effective', TSL_SL);
  }
  const REV_RB_ENABLED = trial.suggestCategorical('REV_RB_ENABLED', g.REV_RB_ENABLED);
  const REV_RB_PCT = REV_RB_ENABLED ? trial.suggestOrdinal('REV_RB_PCT', g.REV_RB_PCT) : g.REV_RB_PCT[0];
  const IB_BUFFER_PCT = trial.suggestOrdinal('IB_BUFFER_PCT', g.IB_BUFFER_PCT);
  const MAX_DISTANCE_PCT = trial.suggestOrdinal('MAX_DISTANCE_PCT', g.MAX_DISTANCE_PCT);
  return {
    IB_WINDOW,
    IB_WAIT_MINUTES,
    TRADE_WINDOW_MINUTES,
    RR_TARGET,
    STOP_MODE,
    TSL_TARGET,
    TSL_SL,
    MIN_SL_PCT: g.MIN_SL_PCT[0],
    REV_RB_ENABLED,
    REV_RB_PCT,
    IB_BUFFER_PCT,
    MAX_DISTANCE_PCT,
  };
}

/** The seed's weights on fixed ranges, one trial at a time: the `score` metric (metric-catalogue.ts). */
export { perTrialScore } from './metric-catalogue.js';

/** How each objective grows with the length of the period it is measured on (walk-forward efficiency), from the catalogue. */
export const OBJECTIVE_SCALING: Readonly<Record<ObjectiveName, MetricScaling>> = Object.fromEntries(METRIC_NAMES.map((name) => [name, metricScaling(name)])) as Record<ObjectiveName, MetricScaling>;

/** The value of metric `name` in a backtest's metrics over `tradingDays` days (metric-catalogue.ts metricValue). */
export function objectiveValue(name: ObjectiveName, m: IbMetrics, tradingDays: number): number {
  return metricValue(name, m, tradingDays);
}

/**
 * The objectives of `options.objectives` (objectives.ts), or null for one objective. Several
 * objectives take no --objective or --objective-expr, and no folds (a multi-objective trial
 * reports no steps to prune on).
 */
export function objectivesOf(options: IbStudyOptions): IbObjective[] | null {
  if (options.objectives === undefined) return null;
  for (const [flag, given] of [['--objective', options.objective], ['--objective-expr', options.objectiveExpr], ['--folds', options.folds]] as const) {
    if (given !== undefined) throw new UsageError(`--objectives optimises several metrics at once: give it without ${flag}`);
  }
  return parseObjectives(options.objectives);
}

export function objective(trial: Trial): number | number[] {
  const c = ctx();
  const params = suggestIbParams(trial, c.data.data.symbol.ibWindows, GRID_VALUES[c.options.grid]);
  // The engine's defaults, named: study-settings.ts stores them with the study for re-runs.
  const run = (ranges: readonly DayRange[]) => c.engine.run(params, { ranges, initialBalance: DEFAULT_INITIAL_BALANCE, riskPct: DEFAULT_RISK_PCT }).metrics;
  const foldValues: number[] = [];
  if (c.cv) {
    // Fold by fold, each reported as a step (its index): a pruner may stop the trial after a few.
    const folds = c.cv.folds.outOfSample;
    for (const step of foldOrder(folds.length, trial.number, c.cv.shuffled)) {
      const value = c.objective.value(run(folds[step]), dayCount(folds[step]));
      foldValues[step] = value;
      trial.report(value, step);
      if (trial.shouldPrune()) throw new TrialPruned();
    }
  }
  const metrics = run(c.days);
  for (const [key, value] of Object.entries(metrics)) trial.setUserAttr(key, value);
  if (c.objectives) return c.objectives.map((o) => o.value(metrics, dayCount(c.days)));
  if (!c.cv) return c.objective.value(metrics, dayCount(c.days));
  trial.setUserAttr('fold_values', foldValues);
  return aggregateFolds(foldValues, c.cv.aggregate, c.objective.direction);
}

/** The seed's grid for the set-up symbol, as explicit points on demand (`size`, `point(i)`). */
export function grid(name: GridName = ctx().options.grid): IbGrid {
  return new IbGrid(ctx().data.data.symbol, name);
}

/** The candles the trials run on: symbol, source, dates, counts and a hash of the bars read. */
export function dataFingerprint(): IbDataFingerprint {
  return ibDataFingerprint(ctx().data);
}

/** Feasible when all entries are <= 0: trials under the minimum trade count are infeasible. */
export function constraints(trial: FrozenTrial): number[] {
  const trades = trial.userAttrs['total_trades'];
  return [ctx().options.minTrades - (typeof trades === 'number' ? trades : 0)];
}
