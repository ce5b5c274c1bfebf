/**
 * What a basket study stores with itself (system attribute `studyopt:config`, as study-settings.ts
 * does for one symbol): the symbols, the aggregate, and each symbol's full IB settings, so that
 * any basket trial can be re-run on any of its symbols exactly (`memberSettings`,
 * basket.ts `memberTrialParams`) with the single-symbol machinery.
 */
import { type Aggregate, DEFAULT_AGGREGATE } from './aggregate.js';
import type { GridName } from './grids.js';
import type { MetricName } from './metric-catalogue.js';
import { type IbStudySettings, ibStudySettings } from './study-settings.js';

export interface IbBasketSettings {
  study: 'ib-basket';
  symbols: string[];
  aggregate: Aggregate;
  /** The metric optimised; null when `objectiveExpr` or `objectives` are. */
  objective: MetricName | null;
  objectiveExpr: string | null;
  objectives: string | null;
  grid: GridName;
  minTrades: number | null;
  from: string | null;
  to: string | null;
  /** Each symbol's settings, as a one-symbol study of it would store them. */
  members: IbStudySettings[];
}

export interface IbBasketChoice {
  symbols: readonly string[];
  aggregate?: Aggregate;
  objective?: MetricName;
  objectiveExpr?: string;
  objectives?: string;
  grid: GridName;
  minTrades?: number;
  from?: string;
  to?: string;
}

export function ibBasketSettings(choice: IbBasketChoice): IbBasketSettings {
  const objective = choice.objectiveExpr !== undefined || choice.objectives !== undefined ? null : (choice.objective ?? 'sharpe');
  const members = choice.symbols.map((symbol) =>
    ibStudySettings({ symbol, grid: choice.grid, objective: objective ?? 'sharpe', objectiveExpr: choice.objectiveExpr, objectives: choice.objectives, minTrades: choice.minTrades, from: choice.from, to: choice.to }),
  );
  return {
    study: 'ib-basket',
    symbols: members.map((m) => m.symbol),
    aggregate: choice.aggregate ?? DEFAULT_AGGREGATE,
    objective,
    objectiveExpr: choice.objectiveExpr ?? null,
    objectives: choice.objectives ?? null,
    grid: choice.grid,
    minTrades: choice.minTrades ?? null,
    from: choice.from ?? null,
    to: choice.to ?? null,
    members,
  };
}

/** The basket settings a study stored, or null for any other study. */
export function ibBasketSettingsOf(systemAttrs: Readonly<Record<string, unknown>>): IbBasketSettings | null {
  const c = systemAttrs['studyopt:config'] as Partial<IbBasketSettings> | undefined;
  return c && c.study === 'ib-basket' && Array.isArray(c.symbols) && Array.isArray(c.members) ? (c as IbBasketSettings) : null;
}

/** The settings of one symbol of the basket (a UsageError-free lookup: null when it is not in the basket). */
export function memberSettings(settings: IbBasketSettings, symbol: string): IbStudySettings | null {
  return settings.members.find((m) => m.symbol.toUpperCase() === symbol.toUpperCase()) ?? null;
}
