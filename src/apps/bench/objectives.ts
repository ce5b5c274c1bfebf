/**
 * The objective of a bench, loadable in the main thread and in workers from a plain JSON spec:
 * the IB backtest on one symbol and grid, or a test function.
 *
 * The IB objective here is `studies/ib/objective.ts`'s, built from the same parts
 * (`suggestIbParams`, the engine, `objectiveValue`), so the values equal the grid's ground
 * truth; it is rebuilt here only to time the engine apart from the sampler (suggestions sample
 * inside the objective).
 */
import { UsageError } from '../../errors.js';
import type { FrozenTrial, StudyDirection } from '../../frozen-trial.js';
import type { ParamValue } from '../../distributions.js';
import type { Trial } from '../../trial.js';
import { suggestFrom } from '../../trial.js';
import type { GridSpec } from '../../search-space.js';
import { getTestFunction } from '../../../studies/functions/index.js';
import { loadSymbolData } from '../../../studies/ib/data/store.js';
import { IbEngine } from '../../../studies/ib/engine/engine.js';
import { DEFAULT_GRID, GRID_VALUES, type GridName, IbGrid } from '../../../studies/ib/grids.js';
import { OBJECTIVE_NAMES, type ObjectiveName, objectiveValue, suggestIbParams } from '../../../studies/ib/objective.js';
import { DEFAULT_MIN_TRADES } from '../../../studies/ib/ranking.js';
import { metricDirection } from '../../../studies/ib/metric-catalogue.js';
import { getSymbol } from '../../../studies/ib/symbols.js';

export interface IbBenchSpec {
  readonly kind: 'ib';
  readonly symbol: string;
  readonly grid: GridName;
  readonly metric: ObjectiveName;
  readonly minTrades: number;
  readonly from?: string;
  readonly to?: string;
}

export interface FunctionBenchSpec {
  readonly kind: 'function';
  readonly name: string;
}

export type BenchObjectiveSpec = IbBenchSpec | FunctionBenchSpec;

/**
 * The grids' defaults differ on purpose: `studyopt bench` compares samplers on the standard grid
 * (25,920 points, whose ground truth takes seconds), `studyopt optimize` searches the expanded
 * grid (1,478,400 points; src/apps/cli/objective-source.ts). Bench and optimize both say so.
 */
export const BENCH_DEFAULT_GRID: GridName = 'standard';
export const OPTIMIZE_DEFAULT_GRID: GridName = DEFAULT_GRID;

/** What an IB bench searched, beside what `studyopt optimize` searches by default (in the JSON result). */
export interface BenchSearchSpace {
  readonly grid: GridName;
  readonly points: number;
  readonly benchDefaultGrid: GridName;
  readonly optimizeDefaultGrid: GridName;
  readonly optimizeDefaultPoints: number;
  /** True when the bench searched the space `studyopt optimize` searches by default. */
  readonly sameAsOptimizeDefault: boolean;
  /** The sentence the text output prints. */
  readonly note: string;
}

/** "25,920": a grid's size for a symbol (GER40 unless named; the built-in symbols' grids are the same size). */
export function gridPoints(grid: GridName, symbol = 'GER40'): string {
  return new IbGrid(getSymbol(symbol), grid).size.toLocaleString('en-US');
}

export function benchSearchSpace(spec: IbBenchSpec): BenchSearchSpace {
  const symbol = getSymbol(spec.symbol);
  const points = new IbGrid(symbol, spec.grid).size;
  const optimizePoints = new IbGrid(symbol, OPTIMIZE_DEFAULT_GRID).size;
  const n = (x: number) => x.toLocaleString('en-US');
  const same = spec.grid === OPTIMIZE_DEFAULT_GRID;
  const note = same
    ? `searched: the ${spec.grid} IB grid (${n(points)} points), the space studyopt optimize searches by default (bench's default is --grid ${BENCH_DEFAULT_GRID})`
    : `searched: the ${spec.grid} IB grid (${n(points)} points${spec.grid === BENCH_DEFAULT_GRID ? ", bench's default" : ''}); studyopt optimize searches the ${OPTIMIZE_DEFAULT_GRID} grid (${n(optimizePoints)} points) by default, so its results come from a larger space: bench --grid ${OPTIMIZE_DEFAULT_GRID} compares the samplers on that space (its ground truth backtests all ${n(optimizePoints)} points once)`;
  return { grid: spec.grid, points, benchDefaultGrid: BENCH_DEFAULT_GRID, optimizeDefaultGrid: OPTIMIZE_DEFAULT_GRID, optimizeDefaultPoints: optimizePoints, sameAsOptimizeDefault: same, note };
}

/** A short name: `ib-GER40-standard-sharpe` (as `studyopt optimize` names IB studies), `hartmann6`. */
export function specName(spec: BenchObjectiveSpec): string {
  return spec.kind === 'ib' ? `ib-${spec.symbol}-${spec.grid}-${spec.metric}` : getTestFunction(spec.name).name;
}

export function ibSpec(flags: { symbol?: string; grid?: string; metric?: string; minTrades?: number; from?: string; to?: string }): IbBenchSpec {
  const metric = flags.metric ?? 'sharpe';
  if (!(OBJECTIVE_NAMES as readonly string[]).includes(metric)) {
    throw new UsageError(`--metric '${metric}' must be one of ${OBJECTIVE_NAMES.join(', ')}`);
  }
  const grid = flags.grid ?? BENCH_DEFAULT_GRID;
  if (grid !== 'standard' && grid !== 'expanded') throw new UsageError(`--grid '${grid}' must be standard or expanded`);
  const minTrades = flags.minTrades ?? DEFAULT_MIN_TRADES;
  if (!Number.isInteger(minTrades) || minTrades < 0) throw new UsageError(`--min-trades must be an integer >= 0, but got ${minTrades}`);
  return { kind: 'ib', symbol: flags.symbol ?? 'GER40', grid, metric: metric as ObjectiveName, minTrades, from: flags.from, to: flags.to };
}

/** A clock the objective adds its own evaluation time to (ms), so the rest is the sampler's. */
export interface EvalClock {
  evalMs: number;
}

export interface BenchObjective {
  readonly spec: BenchObjectiveSpec;
  readonly direction: StudyDirection;
  /** The IB grid (the grid sampler's points); none for test functions. */
  readonly grid?: GridSpec & { size: number };
  /** Known optimum (test functions). */
  readonly optimum?: number;
  readonly constraints?: (t: FrozenTrial) => number[];
  evaluate(trial: Trial, clock: EvalClock): number;
}

export function loadBenchObjective(spec: BenchObjectiveSpec): BenchObjective {
  if (spec.kind === 'function') {
    const fn = getTestFunction(spec.name);
    return {
      spec,
      direction: 'minimize',
      optimum: fn.optimum,
      evaluate(trial, clock) {
        const params: Record<string, ParamValue> = {};
        for (const [name, d] of Object.entries(fn.space)) params[name] = suggestFrom(trial, name, d);
        const t0 = performance.now();
        const v = fn.evaluate(params);
        clock.evalMs += performance.now() - t0;
        return v;
      },
    };
  }
  const data = loadSymbolData(spec.symbol, { from: spec.from, to: spec.to });
  const engine = new IbEngine(data.data);
  const windows = data.data.symbol.ibWindows;
  const tradingDays = data.dayTo - data.dayFrom;
  return {
    spec,
    direction: metricDirection(spec.metric),
    grid: new IbGrid(data.data.symbol, spec.grid),
    constraints: (t) => {
      const trades = t.userAttrs['total_trades'];
      return [spec.minTrades - (typeof trades === 'number' ? trades : 0)];
    },
    evaluate(trial, clock) {
      const params = suggestIbParams(trial, windows, GRID_VALUES[spec.grid]);
      const t0 = performance.now();
      const { metrics } = engine.run(params, { dayFrom: data.dayFrom, dayTo: data.dayTo });
      // Storing the metrics is part of the objective module's work, not the sampler's.
      for (const [key, value] of Object.entries(metrics)) trial.setUserAttr(key, value);
      clock.evalMs += performance.now() - t0;
      return objectiveValue(spec.metric, metrics, tradingDays);
    },
  };
}
