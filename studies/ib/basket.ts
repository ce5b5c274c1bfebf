/**
 * One IB study over a basket of symbols (`--basket GER40,XAUUSD --aggregate worst`): each trial
 * runs the same strategy parameters on every symbol, and its value is the mean, median or worst
 * of the symbols' values (aggregate.ts). An objective module like objective.ts:
 *
 *   prepareShared / setup   each symbol's data (shared memory on a pool) and engine
 *   space, grid             the IB space with one IB window parameter per symbol
 *   objective(trial)        the aggregate; every symbol's metrics stored with the trial
 *   constraints             feasible when every symbol trades at least --min-trades times
 *   dataFingerprint         all the symbols' data together
 *
 * The IB window is a market's session (GER40 opens at 08:00 Frankfurt time, gold's IB is 09:00
 * New York time): it cannot be shared, so the basket has `IB_WINDOW_<symbol>` for each symbol,
 * and shares every other parameter.
 *
 * Stored with each trial: `basket:<symbol>` (that symbol's metrics, an object) for the per-symbol
 * breakdown, and under the plain metric names the aggregate of each metric over the symbols
 * (by the same rule, worst by the metric's direction), so that rankings, reports and the
 * overfitting statistics read a basket trial as they read any IB trial.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../../src/errors.js';
import type { ParamValue } from '../../src/distributions.js';
import type { FrozenTrial, StudyDirection } from '../../src/frozen-trial.js';
import type { DeclaredSpace, Grid } from '../../src/search-space.js';
import { declareSpace, spaceConstraints } from '../../src/space-constraints.js';
import type { DataFingerprint } from '../../src/study-data.js';
import type { Trial } from '../../src/trial.js';
import { type DayRange, dayCount } from '../../src/validation/folds.js';
import { type Aggregate, aggregateValues, checkAggregate } from './aggregate.js';
import { ibDataFingerprint } from './data/fingerprint.js';
import { type SymbolData, loadSymbolData } from './data/store.js';
import { IbEngine } from './engine/engine.js';
import { DEFAULT_GRID, GRID_VALUES, type GridName, IbGrid } from './grids.js';
import { DEFAULT_INITIAL_BALANCE, DEFAULT_RISK_PCT, type IbMetrics } from './metrics.js';
import { METRIC_CATALOGUE } from './metric-catalogue.js';
import { type IbObjectiveFunction, type IbStudyOptions, ibSpace, objectiveOf, objectivesOf, suggestIbParams } from './objective.js';
import type { IbObjective } from './objectives.js';
import type { IbParams } from './params.js';
import { DEFAULT_MIN_TRADES } from './ranking.js';
import { type SharedSymbolData, fromShared, signalTablesOf, toShared } from './shared-data.js';
import { getSymbol } from './symbols.js';

/** The user attribute holding one symbol's metrics. */
export const BASKET_METRICS_PREFIX = 'basket:';

export interface BasketOptions extends Omit<IbStudyOptions, 'symbol' | 'folds' | 'shuffleFolds' | 'aggregate' | 'objective'> {
  /** The metric (metric-catalogue.ts); default sharpe. Or `objectiveExpr`, or several `objectives`, as for one symbol. */
  objective?: string;
  /** The symbols, comma-separated (`GER40,XAUUSD`) or a list. */
  basket: string | readonly string[];
  aggregate?: Aggregate;
}

interface Member {
  readonly symbol: string;
  readonly windows: readonly string[];
  readonly data: SymbolData;
  readonly engine: IbEngine;
  readonly days: readonly DayRange[];
}

interface Context {
  readonly members: readonly Member[];
  readonly aggregate: Aggregate;
  /** What each symbol's backtest is scored by: one objective, or several (each aggregated over the symbols on its own). */
  readonly objectives: readonly (IbObjectiveFunction | IbObjective)[];
  readonly several: boolean;
  readonly grid: GridName;
  readonly minTrades: number;
}

interface SharedBasket {
  readonly kind: 'studyopt-ib-basket';
  readonly members: readonly SharedSymbolData[];
}

let context: Context | null = null;

/** The IB window parameter of `symbol` in a basket. */
export function basketWindowParam(symbol: string): string {
  return `IB_WINDOW_${symbol}`;
}

/** The basket's symbols from `--basket`: at least two, each once, each a known symbol (its canonical name). */
export function parseBasket(basket: string | readonly string[]): string[] {
  const listed = (typeof basket === 'string' ? basket.split(',') : [...basket]).map((s) => s.trim()).filter((s) => s.length > 0);
  if (listed.length < 2) throw new UsageError(`--basket must list at least two symbols separated by commas, e.g. GER40,XAUUSD, but got '${String(basket)}' (for one symbol use --symbol)`);
  const names = listed.map((s) => getSymbol(s).name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`--basket lists ${twice} twice: ${String(basket)}`);
  return names;
}

/** Checks the options before any data is loaded, and fills in their defaults. */
export function resolveBasketOptions(options: BasketOptions): Omit<Context, 'members'> & { symbols: string[] } {
  const symbols = parseBasket(options.basket);
  const aggregate = checkAggregate(options.aggregate, "the symbols' values");
  const scored = { ...options, objective: options.objective as IbStudyOptions['objective'] };
  const several = objectivesOf(scored);
  const objectives = several ?? [objectiveOf(scored)];
  const grid = options.grid ?? DEFAULT_GRID;
  if (grid !== 'standard' && grid !== 'expanded') throw new UsageError(`--grid ${JSON.stringify(grid)} must be standard or expanded`);
  const minTrades = options.minTrades ?? DEFAULT_MIN_TRADES;
  if (!Number.isInteger(minTrades) || minTrades < 0) throw new UsageError(`--min-trades must be an integer >= 0, got ${minTrades}`);
  return { symbols, aggregate, objectives, several: several !== null, grid, minTrades };
}

export function prepareShared(options: BasketOptions): SharedBasket {
  const { symbols } = resolveBasketOptions(options);
  return { kind: 'studyopt-ib-basket', members: symbols.map((s) => toShared(loadSymbolData(s, { from: options.from, to: options.to }))) };
}

export function setup(options: BasketOptions, setupContext?: { shared?: unknown }): void {
  const o = resolveBasketOptions(options);
  const shared = setupContext?.shared as SharedBasket | undefined;
  const members = o.symbols.map((symbol, i): Member => {
    const own = shared?.members[i];
    const data = own ? fromShared(own) : loadSymbolData(symbol, { from: options.from, to: options.to });
    return {
      symbol,
      windows: data.data.symbol.ibWindows,
      data,
      engine: new IbEngine(data.data, own ? signalTablesOf(own) : undefined),
      days: [{ from: data.dayFrom, to: data.dayTo }],
    };
  });
  context = { ...o, members };
  direction = o.objectives[0].direction;
  directions = o.several ? o.objectives.map((x) => x.direction) : undefined;
}

function ctx(): Context {
  if (context === null) throw new Error('basket: setup(options) must run before the objective');
  return context;
}

/** The study's direction: the objective metric's (objective.ts), set by setup. */
export let direction: StudyDirection = 'maximize';

/** With several objectives, each one's direction, set by setup; undefined with one. */
export let directions: StudyDirection[] | undefined;

/** Each symbol's IB window parameter first, then the shared strategy parameters. */
export function space(options: BasketOptions): DeclaredSpace {
  const { grid } = resolveBasketOptions(options);
  const g = GRID_VALUES[grid];
  const windows: DeclaredSpace = {};
  for (const m of ctx().members) Object.assign(windows, { [basketWindowParam(m.symbol)]: ibSpace(m.windows, g)['IB_WINDOW'] });
  const base = ibSpace(ctx().members[0].windows, g);
  const { IB_WINDOW: _window, ...shared } = base;
  // The IB space's constraints (TSL_SL <= TSL_TARGET) hold for the basket's shared parameters alike.
  return declareSpace({ ...windows, ...shared }).constrain(...spaceConstraints(base));
}

/** Each symbol's engine parameters for one basket trial (objective.ts suggestIbParams, per symbol). */
function suggestBasketParams(trial: Trial, members: readonly Member[], grid: GridName): IbParams[] {
  const g = GRID_VALUES[grid];
  // Suggested in the space's order: every window first; the shared parameters then answer the same for each symbol.
  for (const m of members) trial.suggestCategorical(basketWindowParam(m.symbol), m.windows);
  return members.map((m) => suggestIbParams(trial, m.windows, g, basketWindowParam(m.symbol)));
}

export function objective(trial: Trial): number | number[] {
  const c = ctx();
  const params = suggestBasketParams(trial, c.members, c.grid);
  const metrics = c.members.map((m, i) => m.engine.run(params[i], { ranges: m.days, initialBalance: DEFAULT_INITIAL_BALANCE, riskPct: DEFAULT_RISK_PCT }).metrics);
  c.members.forEach((m, i) => trial.setUserAttr(`${BASKET_METRICS_PREFIX}${m.symbol}`, { ...metrics[i] }));
  for (const [key, value] of Object.entries(aggregateMetrics(metrics, c.aggregate))) trial.setUserAttr(key, value);
  const values = c.objectives.map((o) => aggregateValues(c.members.map((m, i) => o.value(metrics[i], dayCount(m.days))), c.aggregate, o.direction));
  return c.several ? values : values[0];
}

/** Each metric over the symbols, by the basket's rule (worst by the metric's own direction). */
export function aggregateMetrics(metrics: readonly IbMetrics[], how: Aggregate): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(metrics[0]) as (keyof IbMetrics)[]) {
    out[key] = aggregateValues(metrics.map((m) => m[key]), how, keyDirection(key));
  }
  return out;
}

/** Counters outside the metric catalogue where fewer is better. */
const FEWER_IS_BETTER: ReadonlySet<string> = new Set(['losing_trades', 'max_consec_losses']);

/** Each stored metric key's direction in the catalogue, looked up once rather than per trial. */
const CATALOGUE_DIRECTIONS: ReadonlyMap<string, StudyDirection> = new Map(
  Object.values(METRIC_CATALOGUE).flatMap((e) => (e.key === null ? [] : [[e.key, e.direction] as const])),
);

/** The direction of a stored metric: the catalogue's for its key, else more is better unless it counts losses. */
function keyDirection(key: keyof IbMetrics): StudyDirection {
  return CATALOGUE_DIRECTIONS.get(key) ?? (FEWER_IS_BETTER.has(key) ? 'minimize' : 'maximize');
}

/** Feasible when every symbol made at least --min-trades trades (all entries <= 0). */
export function constraints(trial: FrozenTrial): number[] {
  const c = ctx();
  const trades = c.members.map((m) => {
    const metrics = trial.userAttrs[`${BASKET_METRICS_PREFIX}${m.symbol}`] as Partial<IbMetrics> | undefined;
    return typeof metrics?.total_trades === 'number' ? metrics.total_trades : 0;
  });
  return [c.minTrades - Math.min(...trades)];
}

/** All the symbols' data: each one's fingerprint, and one hash over them. */
export function dataFingerprint(): DataFingerprint & { members: DataFingerprint[] } {
  const members = ctx().members.map((m) => ibDataFingerprint(m.data));
  const hash = createHash('sha256');
  for (const m of members) hash.update(`${m.hash}\n`);
  return { summary: members.map((m) => m.summary).join('; '), hash: hash.digest('hex'), members };
}

/** The grid over the basket: every point of the IB grid, with each symbol's windows crossed. */
export function grid(name?: GridName): BasketGrid {
  const c = ctx();
  return new BasketGrid(c.members.map((m) => m.symbol), name ?? c.grid);
}

/**
 * The IB grid (grids.ts) with its IB window axis replaced by one axis per symbol. The IB grid's
 * window axis varies slowest, so its first 1/windows of points are the other axes' points.
 */
export class BasketGrid implements Grid {
  readonly size: number;
  private readonly base: IbGrid;
  private readonly baseSize: number;
  private readonly windows: readonly (readonly string[])[];

  constructor(
    readonly symbols: readonly string[],
    name: GridName,
  ) {
    const specs = symbols.map((s) => getSymbol(s));
    this.base = new IbGrid(specs[0], name);
    this.baseSize = this.base.size / specs[0].ibWindows.length;
    this.windows = specs.map((s) => s.ibWindows);
    this.size = this.windows.reduce((n, w) => n * w.length, this.baseSize);
  }

  point(index: number): Record<string, ParamValue> {
    let rest = Math.floor(index / this.baseSize);
    const out: Record<string, ParamValue> = {};
    for (let k = this.symbols.length - 1; k >= 0; k--) {
      out[basketWindowParam(this.symbols[k])] = this.windows[k][rest % this.windows[k].length];
      rest = Math.floor(rest / this.windows[k].length);
    }
    const { IB_WINDOW: _window, ...shared } = this.base.point(index % this.baseSize);
    return { ...out, ...shared };
  }
}

/** One symbol's trial parameters of a basket trial: its own IB window as IB_WINDOW, and the shared ones. */
export function memberTrialParams(trialParams: Readonly<Record<string, ParamValue>>, symbol: string): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(trialParams)) if (!k.startsWith('IB_WINDOW_')) out[k] = v;
  const window = trialParams[basketWindowParam(symbol)];
  if (window !== undefined) out['IB_WINDOW'] = window;
  return out;
}

/** Each symbol's metrics stored with a basket trial (its `basket:<symbol>` attributes), in stored order; empty for other trials. */
export function basketMetricsOf(userAttrs: Readonly<Record<string, unknown>>): { symbol: string; metrics: Partial<IbMetrics> }[] {
  const out: { symbol: string; metrics: Partial<IbMetrics> }[] = [];
  for (const [key, value] of Object.entries(userAttrs)) {
    if (key.startsWith(BASKET_METRICS_PREFIX) && value !== null && typeof value === 'object') out.push({ symbol: key.slice(BASKET_METRICS_PREFIX.length), metrics: value as Partial<IbMetrics> });
  }
  return out;
}

/** The metrics a per-symbol breakdown shows, in this order (docs/metrics.md explains each). */
export const BREAKDOWN_METRICS: readonly (keyof IbMetrics)[] = [
  'sharpe_ratio', 'sortino_ratio', 'total_r', 'total_trades', 'winrate', 'profit_factor', 'max_drawdown', 'calmar_ratio', 'return_pct',
];
