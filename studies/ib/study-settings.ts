/**
 * Everything besides a trial's own parameters that shapes an IB trial, stored with the study
 * (system attribute `studyopt:config`) so that any stored trial can be re-run exactly:
 * the symbol's definition (time zone, IB windows, spread, trading hours), the grid's value lists
 * (whose first values fill the parameters a trial does not suggest: MIN_SL_PCT always, TSL_SL
 * when trailing is off, REV_RB_PCT when REV_RB is off), the date range, the metric (or the
 * objective expression), the minimum
 * trade count, the engine's balance and risk, and the folds of a cross-validated objective. The
 * data itself is recorded by its fingerprint (src/study-data.ts).
 */
import { FixedTrial } from '../../src/fixed-trial.js';
import type { ParamValue } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import { type DataFingerprint, describeData } from '../../src/study-data.js';
import { type IbDataFingerprint, ibDataFingerprint } from './data/fingerprint.js';
import { type SymbolData, loadSymbolData } from './data/store.js';
import { type Aggregate, DEFAULT_AGGREGATE, evaluatedDays } from './cross-validation.js';
import type { DayRange } from '../../src/validation/folds.js';
import { IbEngine } from './engine/engine.js';
import { DEFAULT_GRID, GRID_VALUES, type GridName, type GridValues } from './grids.js';
import { DEFAULT_INITIAL_BALANCE, DEFAULT_RISK_PCT, type IbMetrics } from './metrics.js';
import { type ObjectiveName, suggestIbParams } from './objective.js';
import type { IbParams } from './params.js';
import { type SymbolSpec, getSymbol } from './symbols.js';
import type { Trade } from './trade.js';

/** The engine's money settings: they shape final_balance and the return figures. */
export interface IbEngineSettings {
  initialBalance: number;
  riskPct: number;
}

export const IB_ENGINE_DEFAULTS: Readonly<IbEngineSettings> = { initialBalance: DEFAULT_INITIAL_BALANCE, riskPct: DEFAULT_RISK_PCT };

export interface IbStudySettings {
  study: 'ib';
  symbol: string;
  grid: GridName;
  /** The metric optimised; null when `objectiveExpr` is. */
  objective: ObjectiveName | null;
  /** The objective expression (objective-expression.ts); null: the metric `objective`. */
  objectiveExpr: string | null;
  /** Several objectives at once (objectives.ts), as given to --objectives; null: one objective. */
  objectives: string | null;
  minTrades: number | null;
  from: string | null;
  to: string | null;
  symbolSpec: SymbolSpec;
  gridValues: GridValues;
  engine: IbEngineSettings;
  /** The cross-validated objective's folds and aggregate (cross-validation.ts); null: the whole range. */
  folds: string | null;
  aggregate: Aggregate | null;
}

/** Settings that switch on a feature: a study stored before they were recorded was made without it. */
export const IB_SETTINGS_OFF_WHEN_ABSENT = ['folds', 'aggregate', 'objectiveExpr', 'objectives'] as const;

export interface IbStudyChoice {
  symbol: string;
  grid: GridName;
  /** The metric; ignored (stored as null) when `objectiveExpr` is given. */
  objective: ObjectiveName;
  objectiveExpr?: string;
  objectives?: string;
  minTrades?: number;
  from?: string;
  to?: string;
  folds?: string;
  aggregate?: Aggregate;
}

/** The settings of a new IB study, from today's symbol definitions, grids and engine. */
export function ibStudySettings(choice: IbStudyChoice): IbStudySettings {
  const symbolSpec = getSymbol(choice.symbol);
  return {
    study: 'ib',
    symbol: symbolSpec.name,
    grid: choice.grid,
    objective: choice.objectiveExpr !== undefined ? null : choice.objective,
    objectiveExpr: choice.objectiveExpr ?? null,
    objectives: choice.objectives ?? null,
    minTrades: choice.minTrades ?? null,
    from: choice.from ?? null,
    to: choice.to ?? null,
    symbolSpec,
    gridValues: GRID_VALUES[choice.grid],
    engine: { ...IB_ENGINE_DEFAULTS },
    folds: choice.folds ?? null,
    aggregate: choice.folds ? (choice.aggregate ?? DEFAULT_AGGREGATE) : null,
  };
}

/**
 * The IB settings a study stored, or null for other studies. Studies made before the symbol,
 * grid values and engine settings were stored get today's (the best that can be known of them).
 */
export function ibSettingsOf(systemAttrs: Readonly<Record<string, unknown>>): IbStudySettings | null {
  const c = systemAttrs['studyopt:config'] as Partial<IbStudySettings> | undefined;
  if (!c || c.study !== 'ib' || typeof c.symbol !== 'string') return null;
  const grid: GridName = c.grid === 'standard' || c.grid === 'expanded' ? c.grid : DEFAULT_GRID;
  return {
    study: 'ib',
    symbol: c.symbol,
    grid,
    objective: typeof c.objectiveExpr === 'string' ? null : ((c.objective ?? 'sharpe') as ObjectiveName),
    objectiveExpr: c.objectiveExpr ?? null,
    objectives: c.objectives ?? null,
    minTrades: c.minTrades ?? null,
    from: c.from ?? null,
    to: c.to ?? null,
    symbolSpec: c.symbolSpec ?? getSymbol(c.symbol),
    gridValues: c.gridValues ?? GRID_VALUES[grid],
    engine: c.engine ?? { ...IB_ENGINE_DEFAULTS },
    folds: c.folds ?? null,
    aggregate: c.aggregate ?? null,
  };
}

/**
 * The complete engine parameters of a stored trial: its suggested parameters, completed by the
 * objective's own rules (suggestIbParams) with the study's value lists.
 */
export function engineParamsOf(settings: IbStudySettings, trialParams: Readonly<Record<string, ParamValue>>): IbParams {
  return suggestIbParams(new FixedTrial(trialParams), settings.symbolSpec.ibWindows, settings.gridValues);
}

export interface IbRerun {
  params: IbParams;
  metrics: IbMetrics;
  trades: Trade[];
  data: SymbolData;
  fingerprint: IbDataFingerprint;
}

export interface RerunOptions {
  /** The data the trial ran on: other data is refused (UsageError naming both) unless `acceptDataChange`. */
  expectedData?: DataFingerprint | null;
  acceptDataChange?: boolean;
  /** How the user accepts other data, for the refusal's message. */
  acceptHint?: string;
  /** Run even when the symbol's definition changed since (to find out what that changes: `verify`). */
  acceptSymbolChange?: boolean;
}

/** The study's data and engine, loaded once, running any of its trials again trade by trade. */
export interface IbTrialRunner {
  readonly data: SymbolData;
  readonly fingerprint: IbDataFingerprint;
  /** The days a trial's metrics cover: every fold's out-of-sample days, or the whole range. */
  readonly days: readonly DayRange[];
  run(trialParams: Readonly<Record<string, ParamValue>>): { params: IbParams; metrics: IbMetrics; trades: Trade[] };
}

/**
 * Loads a study's data (its symbol and dates) and checks it against the data its trials ran on:
 * other data, or another definition of the symbol, is refused with a UsageError naming both,
 * unless accepted.
 */
export function ibTrialRunner(settings: IbStudySettings, options: RerunOptions = {}): IbTrialRunner {
  const current = getSymbol(settings.symbol);
  if (JSON.stringify(current) !== JSON.stringify(settings.symbolSpec) && !options.acceptSymbolChange) {
    throw new UsageError(
      `the definition of ${settings.symbol} changed since the study ran (stored ${JSON.stringify(settings.symbolSpec)}, now ${JSON.stringify(current)}): ` +
        'restore it in symbols.json to re-run the study\'s trials',
    );
  }
  const data = loadSymbolData(settings.symbol, { from: settings.from ?? undefined, to: settings.to ?? undefined });
  const fingerprint = ibDataFingerprint(data);
  const expected = options.expectedData;
  if (expected && expected.hash !== fingerprint.hash && !options.acceptDataChange) {
    throw new UsageError(
      `the ${settings.symbol} data changed since this trial ran:\n  the trial's data: ${describeData(expected)}\n  the data now:     ${describeData(fingerprint)}\n` +
        `re-import the trial's data to reproduce it${options.acceptHint ? `, or run it on today's data with ${options.acceptHint}` : ''}`,
    );
  }
  const engine = new IbEngine(data.data);
  const days = evaluatedDays(data.dayFrom, data.dayTo, settings.folds);
  return {
    data,
    fingerprint,
    days,
    run(trialParams) {
      const params = engineParamsOf(settings, trialParams);
      const { metrics, trades } = engine.run(params, { ranges: days, trades: true, ...settings.engine });
      return { params, metrics, trades: trades ?? [] };
    },
  };
}

/** Runs a stored IB trial again, trade by trade, on the study's symbol, dates and settings. */
export function rerunIbTrial(settings: IbStudySettings, trialParams: Readonly<Record<string, ParamValue>>, options: RerunOptions = {}): IbRerun {
  const runner = ibTrialRunner(settings, options);
  return { ...runner.run(trialParams), data: runner.data, fingerprint: runner.fingerprint };
}
