/**
 * Walk-forward optimisation of the IB strategy (`studyopt optimize --walk-forward ...`): the data
 * cut into rolling or anchored windows (src/validation/folds.ts); in each, an ordinary IB study
 * searches the in-sample days; its best parameters then trade the out-of-sample days that follow;
 * the out-of-sample trades of all windows, in order, make one equity curve, as a trader who
 * re-optimised every window would have traded. Walk-forward efficiency
 * (src/validation/walk-forward-efficiency.ts) says how much of the in-sample performance held.
 *
 * A window's study is an IB study like any other, limited to its in-sample dates, so everything
 * a study does (resume, several processes, reports, `backtest`) works on each window.
 */
import type { ParamValue } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import { type DayRange, makeFolds, parseFolds } from '../../src/validation/folds.js';
import { probabilisticSharpeRatio } from '../../src/validation/deflated-sharpe.js';
import { returnMoments } from '../../src/validation/sharpe-ratio.js';
import { overallEfficiency, walkForwardEfficiency } from '../../src/validation/walk-forward-efficiency.js';
import { loadSymbolData } from './data/store.js';
import { IbEngine } from './engine/engine.js';
import { SIGNAL_NAMES } from './engine/signals.js';
import { type MarketData, dayRange } from './market-data.js';
import { type IbMetrics, computeMetrics } from './metrics.js';
import type { IbParams } from './params.js';
import { OBJECTIVE_SCALING, type ObjectiveName, objectiveValue } from './objective.js';
import { type IbStudySettings, engineParamsOf } from './study-settings.js';
import { epochDayToIso, isoToEpochDay } from './timezone.js';
import type { Trade } from './trade.js';

/** Study system attribute of a walk-forward's parent study: its result, once every window is searched. */
export const WALK_FORWARD_KEY = 'studyopt:walk-forward';

/** Inclusive ISO dates (the IB study's --from/--to) and the trading days between them. */
export interface DateSpan {
  readonly from: string;
  readonly to: string;
  readonly days: number;
}

export interface WalkForwardWindow {
  readonly index: number;
  readonly inSample: DateSpan;
  readonly outOfSample: DateSpan;
}

/**
 * The windows of `spec` over the symbol's trading days in [from, to]. Only rolling and anchored
 * folds are walk-forward windows: k-fold and CPCV train on days after the test days.
 */
export function walkForwardWindows(spec: string, symbol: string, range: { from?: string; to?: string } = {}): WalkForwardWindow[] {
  const flag = '--walk-forward';
  const parsed = parseFolds(spec, flag);
  if (parsed.kind !== 'rolling' && parsed.kind !== 'anchored') {
    throw new UsageError(
      `${flag} '${spec}': walk-forward windows are rolling or anchored (each window trades the days right after the ones it searched), e.g. rolling:is=6m,oos=1m; ${parsed.kind} folds suit the cross-validated objective (--folds)`,
    );
  }
  const data = loadSymbolData(symbol, range);
  const plan = makeFolds(parsed, data.dayTo - data.dayFrom, flag);
  const span = (r: DayRange): DateSpan => ({
    from: epochDayToIso(data.data.dayDate[data.dayFrom + r.from]),
    to: epochDayToIso(data.data.dayDate[data.dayFrom + r.to - 1]),
    days: r.to - r.from,
  });
  return plan.folds.map((f) => ({ index: f.index, inSample: span(f.inSample[0]), outOfSample: span(f.outOfSample[0]) }));
}

/** A window's search, done: the trial of its study that trades (its best, or its robust pick). */
export interface SearchedWindow extends WalkForwardWindow {
  readonly studyName: string;
  /** The window study's settings (its in-sample dates). */
  readonly settings: IbStudySettings;
  readonly bestTrial: number;
  readonly bestParams: Readonly<Record<string, ParamValue>>;
  /** The best trial's value: the objective on the in-sample days. */
  readonly inSampleValue: number;
}

export interface WalkForwardWindowResult {
  readonly index: number;
  readonly studyName: string;
  readonly inSample: DateSpan;
  readonly outOfSample: DateSpan;
  readonly bestTrial: number;
  /** The best trial's parameters, as suggested. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Every engine parameter they traded with (the unsearched ones filled by the study's rules). */
  readonly engineParams: IbParams;
  readonly inSampleValue: number;
  readonly outOfSampleValue: number;
  /** Out-of-sample over in-sample performance; null where the in-sample value is not positive. */
  readonly efficiency: number | null;
  readonly outOfSampleTrades: number;
}

export interface WalkForwardResult {
  readonly walkForward: string;
  readonly objective: ObjectiveName;
  /** Which trial of each window traded: its best, or its robust pick (src/validation/robust-pick.ts). */
  readonly select: 'best' | 'robust';
  readonly windows: readonly WalkForwardWindowResult[];
  /** Every window's out-of-sample trades, in order, as one backtest. */
  readonly stitched: { readonly metrics: IbMetrics; readonly value: number; readonly days: number; readonly from: string; readonly to: string };
  /** Walk-forward efficiency of the whole run (stitched out-of-sample against all in-sample). */
  readonly efficiency: number | null;
  /**
   * The probabilistic Sharpe ratio of the stitched out-of-sample trades (per trade, as the
   * overfitting statistics): the probability that their true Sharpe ratio is above 0. They were
   * not picked on these days, so no deflation is due; null below 3 trades.
   */
  readonly probabilisticSharpe: number | null;
  /** The stitched equity curve: after each out-of-sample trade, its day and the cumulative R. */
  readonly equity: readonly { readonly day: string; readonly r: number; readonly window: number }[];
}

/**
 * Trades each window's best parameters on its out-of-sample days and stitches the trades into
 * one backtest. The data is loaded once, with the symbol's whole history (the windows' dates
 * pick the days), and the engine runs with the window studies' own engine settings.
 */
export function evaluateWalkForward(spec: string, objective: ObjectiveName, windows: readonly SearchedWindow[], select: 'best' | 'robust' = 'best'): WalkForwardResult {
  if (windows.length === 0) throw new UsageError(`--walk-forward '${spec}': no window has a best trial yet to evaluate`);
  const symbol = windows[0].settings.symbol;
  const data = loadSymbolData(symbol);
  const engine = new IbEngine(data.data);
  const scaling = OBJECTIVE_SCALING[objective];
  // Each stitched trade's day as an ordinal among the out-of-sample days (computeMetrics `tradeDay`).
  const stitchedTrades: { trade: Trade; window: number; day: number }[] = [];
  const dayIndexOf = new Map(Array.from(data.data.dayDate, (epochDay, index) => [epochDay, index]));
  let stitchedDays = 0;
  const results: WalkForwardWindowResult[] = [];
  for (const w of windows) {
    const days = dayIndexRange(data.data, w.outOfSample);
    const engineParams = engineParamsOf(w.settings, w.bestParams);
    const { metrics, trades } = engine.run(engineParams, { dayFrom: days.from, dayTo: days.to, trades: true, ...w.settings.engine });
    const outOfSampleValue = objectiveValue(objective, metrics, w.outOfSample.days);
    for (const trade of trades ?? []) stitchedTrades.push({ trade, window: w.index, day: stitchedDays + dayIndexOf.get(trade.day)! - days.from });
    stitchedDays += days.to - days.from;
    results.push({
      index: w.index,
      studyName: w.studyName,
      inSample: w.inSample,
      outOfSample: w.outOfSample,
      bestTrial: w.bestTrial,
      params: w.bestParams,
      engineParams,
      inSampleValue: w.inSampleValue,
      outOfSampleValue,
      efficiency: walkForwardEfficiency({ value: w.inSampleValue, days: w.inSample.days }, { value: outOfSampleValue, days: w.outOfSample.days }, scaling),
      outOfSampleTrades: metrics.total_trades,
    });
  }
  const n = stitchedTrades.length;
  const engineSettings = windows[0].settings.engine;
  const metrics = computeMetrics(
    stitchedTrades.map((t) => t.trade.r),
    stitchedTrades.map((t) => t.trade.profit),
    stitchedTrades.map((t) => SIGNAL_NAMES.indexOf(t.trade.signal)),
    n,
    engineSettings,
    stitchedTrades.map((t) => t.day),
    stitchedDays,
  );
  const days = windows.reduce((a, w) => a + w.outOfSample.days, 0);
  const value = objectiveValue(objective, metrics, days);
  const moments = n >= 3 ? returnMoments(stitchedTrades.map((t) => t.trade.r)) : null;
  const probabilisticSharpe = moments && Number.isFinite(moments.sharpe) ? probabilisticSharpeRatio(moments.sharpe, 0, n, moments.skewness, moments.kurtosis) : null;
  let cumulative = 0;
  const equity = stitchedTrades.map(({ trade, window }) => ({ day: epochDayToIso(trade.day), r: (cumulative += trade.r), window }));
  return {
    walkForward: spec,
    objective,
    select,
    windows: results,
    stitched: { metrics, value, days, from: windows[0].outOfSample.from, to: windows[windows.length - 1].outOfSample.to },
    efficiency: overallEfficiency(
      windows.map((w) => ({ value: w.inSampleValue, days: w.inSample.days })),
      { value, days },
      scaling,
    ),
    probabilisticSharpe,
    equity,
  };
}

/** The half-open day-index range of a span's dates in the data. */
function dayIndexRange(data: MarketData, span: DateSpan): DayRange {
  const [from, to] = dayRange(data, isoToEpochDay(span.from), isoToEpochDay(span.to));
  if (to - from !== span.days) {
    throw new UsageError(`the data changed since the walk-forward windows were cut: ${span.from} to ${span.to} now holds ${to - from} trading days, not ${span.days}; run it again with --fresh`);
  }
  return { from, to };
}
