/**
 * The IB strategy's parameters under the seed's names (seeds/ib-grid-optimizer.md), plus the IB
 * window, and their validation for anything a user types (`studyopt backtest --params`).
 */
import { UsageError } from '../../src/errors.js';
import type { SymbolSpec } from './symbols.js';

export const STOP_MODES = ['ib_start', 'eq', 'cisd'] as const;
export type StopMode = (typeof STOP_MODES)[number];

export interface IbParams {
  /** IB window of the symbol, e.g. "08:00-09:00" (local time of the symbol's zone). */
  IB_WINDOW: string;
  IB_WAIT_MINUTES: number;
  TRADE_WINDOW_MINUTES: number;
  RR_TARGET: number;
  STOP_MODE: StopMode;
  /** Spacing of the trailing stop's virtual targets in R; 0 disables trailing. */
  TSL_TARGET: number;
  /** Stop step in R at each virtual target. */
  TSL_SL: number;
  /** Minimum stop distance as a fraction of the entry price. */
  MIN_SL_PCT: number;
  REV_RB_ENABLED: boolean;
  /** REV_RB trigger distance as a fraction of the IB range. */
  REV_RB_PCT: number;
  /** Breakout buffer as a fraction of the IB range. */
  IB_BUFFER_PCT: number;
  /** Largest close distance from the IB level, as a fraction of the IB range. */
  MAX_DISTANCE_PCT: number;
}

export const PARAM_NAMES: readonly (keyof IbParams)[] = [
  'IB_WINDOW',
  'IB_WAIT_MINUTES',
  'TRADE_WINDOW_MINUTES',
  'RR_TARGET',
  'STOP_MODE',
  'TSL_TARGET',
  'TSL_SL',
  'MIN_SL_PCT',
  'REV_RB_ENABLED',
  'REV_RB_PCT',
  'IB_BUFFER_PCT',
  'MAX_DISTANCE_PCT',
];

/** Defaults for parameters a user leaves out: the first value of the standard grid. */
export function defaultParams(symbol: SymbolSpec): IbParams {
  return {
    IB_WINDOW: symbol.ibWindows[1] ?? symbol.ibWindows[0],
    IB_WAIT_MINUTES: 0,
    TRADE_WINDOW_MINUTES: 120,
    RR_TARGET: 1,
    STOP_MODE: 'ib_start',
    TSL_TARGET: 0,
    TSL_SL: 0.5,
    MIN_SL_PCT: 0.001,
    REV_RB_ENABLED: false,
    REV_RB_PCT: 0.5,
    IB_BUFFER_PCT: 0.05,
    MAX_DISTANCE_PCT: 1,
  };
}

interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** true when `min` itself is not allowed. */
  minExclusive?: boolean;
}

/** Allowed ranges: wide enough for any search, narrow enough to catch typos and unit mix-ups. */
const NUMBER_RULES: Record<string, NumberRule> = {
  IB_WAIT_MINUTES: { min: 0, max: 600, integer: true },
  TRADE_WINDOW_MINUTES: { min: 1, max: 1200, integer: true },
  RR_TARGET: { min: 0, max: 50, minExclusive: true },
  TSL_TARGET: { min: 0, max: 50 },
  TSL_SL: { min: 0, max: 50 },
  MIN_SL_PCT: { min: 0, max: 0.5 },
  REV_RB_PCT: { min: 0, max: 20, minExclusive: true },
  IB_BUFFER_PCT: { min: 0, max: 20 },
  MAX_DISTANCE_PCT: { min: 0, max: 50 },
};

/**
 * Complete and check a user's parameter object: unknown names, wrong types and out-of-range
 * values throw UsageError naming the parameter and the allowed values.
 */
export function resolveParams(symbol: SymbolSpec, input: Record<string, unknown>, source = '--params'): IbParams {
  const known = new Set<string>(PARAM_NAMES);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) {
      throw new UsageError(`${source}: unknown parameter "${key}"; known parameters are ${PARAM_NAMES.join(', ')}`);
    }
  }
  const p = { ...defaultParams(symbol), ...input } as Record<string, unknown>;
  if (typeof p['IB_WINDOW'] !== 'string' || !symbol.ibWindows.includes(p['IB_WINDOW'])) {
    throw new UsageError(
      `${source}: IB_WINDOW ${JSON.stringify(p['IB_WINDOW'])} is not an IB window of ${symbol.name}; ` +
        `use one of ${symbol.ibWindows.join(', ')}`,
    );
  }
  if (!STOP_MODES.includes(p['STOP_MODE'] as StopMode)) {
    throw new UsageError(`${source}: STOP_MODE ${JSON.stringify(p['STOP_MODE'])} must be one of ${STOP_MODES.join(', ')}`);
  }
  if (typeof p['REV_RB_ENABLED'] !== 'boolean') {
    throw new UsageError(`${source}: REV_RB_ENABLED must be true or false, got ${JSON.stringify(p['REV_RB_ENABLED'])}`);
  }
  for (const [name, rule] of Object.entries(NUMBER_RULES)) {
    const v = p[name];
    const low = rule.minExclusive ? `> ${rule.min}` : `>= ${rule.min}`;
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < rule.min ||
      (rule.minExclusive && v === rule.min) ||
      v > rule.max ||
      (rule.integer && !Number.isInteger(v))
    ) {
      throw new UsageError(
        `${source}: ${name} must be ${rule.integer ? 'an integer' : 'a number'} ${low} and <= ${rule.max}, got ${JSON.stringify(v)}`,
      );
    }
  }
  return p as unknown as IbParams;
}
