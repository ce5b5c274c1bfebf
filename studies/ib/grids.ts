/**
 * The seed's standard and expanded grids (IB_RULES.md §6, version 00522ec) with the IB window as
 * a parameter and the Python pruning: TSL_SL only its first value when TSL_TARGET = 0, else the
 * values <= TSL_TARGET; REV_RB_PCT only its first value when REV_RB is off. Per symbol:
 * standard 25,920 points, expanded 1,478,400.
 *
 * Points are produced on demand by mixed-radix index (`point(i)`), so the expanded grid needs
 * no 1.5-million-object list; `points()` gives the explicit list when wanted.
 */
import type { IbParams, StopMode } from './params.js';
import type { SymbolSpec } from './symbols.js';

export type GridName = 'standard' | 'expanded';
export const GRID_NAMES: readonly GridName[] = ['standard', 'expanded'];
/** The grid an IB study searches unless told otherwise (the seed's main grid). */
export const DEFAULT_GRID: GridName = 'expanded';

export interface GridValues {
  IB_WAIT_MINUTES: number[];
  TRADE_WINDOW_MINUTES: number[];
  RR_TARGET: number[];
  STOP_MODE: StopMode[];
  TSL_TARGET: number[];
  TSL_SL: number[];
  MIN_SL_PCT: number[];
  REV_RB_ENABLED: boolean[];
  REV_RB_PCT: number[];
  IB_BUFFER_PCT: number[];
  MAX_DISTANCE_PCT: number[];
}

const steps = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let k = 0; from + k * step <= to + 1e-9; k++) out.push(Math.round((from + k * step) * 1e6) / 1e6);
  return out;
};

/** `CFG@00522ec` 190–273 (IB_RULES.md §6 table). */
export const GRID_VALUES: Readonly<Record<GridName, GridValues>> = {
  standard: {
    IB_WAIT_MINUTES: [0, 15],
    TRADE_WINDOW_MINUTES: [60, 90, 120],
    RR_TARGET: [0.5, 1, 1.5, 2],
    STOP_MODE: ['ib_start', 'eq'],
    TSL_TARGET: [0, 0.5, 1, 1.5],
    TSL_SL: [0.5, 1],
    MIN_SL_PCT: [0.001],
    REV_RB_ENABLED: [true, false],
    REV_RB_PCT: [0.5],
    IB_BUFFER_PCT: steps(0.05, 0.25, 0.05),
    MAX_DISTANCE_PCT: [0.5, 0.75, 1],
  },
  expanded: {
    IB_WAIT_MINUTES: [0, 10, 15, 20],
    TRADE_WINDOW_MINUTES: [40, 60, 90, 120, 150, 180, 210, 240],
    RR_TARGET: steps(0.5, 2, 0.25),
    STOP_MODE: ['ib_start', 'eq'],
    TSL_TARGET: [0, 0.5, 0.75, 1, 1.25, 1.5, 2],
    TSL_SL: [0.5, 0.75, 1, 1.25, 1.5, 2],
    MIN_SL_PCT: [0.0015],
    REV_RB_ENABLED: [true, false],
    REV_RB_PCT: [1],
    IB_BUFFER_PCT: steps(0, 0.2, 0.05),
    MAX_DISTANCE_PCT: steps(0.5, 1.5, 0.25),
  },
};

/** One axis of the mixed-radix enumeration: each entry sets one or more parameters. */
type Axis = Partial<IbParams>[];

function axes(symbol: SymbolSpec, g: GridValues): Axis[] {
  const one = <K extends keyof IbParams>(key: K, values: IbParams[K][]): Axis => values.map((v) => ({ [key]: v }) as Partial<IbParams>);
  const tsl: Axis = [];
  for (const target of g.TSL_TARGET) {
    const sls = target === 0 ? [g.TSL_SL[0]] : g.TSL_SL.filter((s) => s <= target);
    for (const sl of sls) tsl.push({ TSL_TARGET: target, TSL_SL: sl });
  }
  const revRb: Axis = [];
  for (const enabled of g.REV_RB_ENABLED) {
    for (const pct of enabled ? g.REV_RB_PCT : [g.REV_RB_PCT[0]]) revRb.push({ REV_RB_ENABLED: enabled, REV_RB_PCT: pct });
  }
  // Signal-key parameters vary slowest, so consecutive points share cached signal tables.
  return [
    one('IB_WINDOW', symbol.ibWindows),
    one('IB_WAIT_MINUTES', g.IB_WAIT_MINUTES),
    one('TRADE_WINDOW_MINUTES', g.TRADE_WINDOW_MINUTES),
    one('IB_BUFFER_PCT', g.IB_BUFFER_PCT),
    one('MAX_DISTANCE_PCT', g.MAX_DISTANCE_PCT),
    revRb,
    one('MIN_SL_PCT', g.MIN_SL_PCT),
    one('STOP_MODE', g.STOP_MODE),
    one('RR_TARGET', g.RR_TARGET),
    tsl,
  ];
}

/** A grid of IB parameter sets for one symbol; `point(i)` for 0 <= i < size. */
export class IbGrid {
  readonly size: number;
  private readonly axes: Axis[];

  constructor(readonly symbol: SymbolSpec, readonly name: GridName) {
    this.axes = axes(symbol, GRID_VALUES[name]);
    this.size = this.axes.reduce((n, a) => n * a.length, 1);
  }

  /** Full parameter set of point `index`, as the engine takes it. */
  params(index: number): IbParams {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`grid point index must be an integer in [0, ${this.size}), got ${index}`);
    }
    const out: Partial<IbParams> = {};
    let rest = index;
    for (let k = this.axes.length - 1; k >= 0; k--) {
      const axis = this.axes[k];
      Object.assign(out, axis[rest % axis.length]);
      rest = Math.floor(rest / axis.length);
    }
    return out as IbParams;
  }

  /**
   * Point `index` as the define-by-run objective suggests it (objective.ts): the parameters a
   * trial actually suggests — TSL_SL only when TSL_TARGET > 0, REV_RB_PCT only when REV_RB is
   * on, and no MIN_SL_PCT (fixed per grid) — so a grid point and a trial's params are the same.
   */
  point(index: number): Record<string, string | number | boolean> {
    const p = this.params(index);
    const out: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(p)) {
      if (k === 'MIN_SL_PCT') continue;
      if (k === 'TSL_SL' && !(p.TSL_TARGET > 0)) continue;
      if (k === 'REV_RB_PCT' && !p.REV_RB_ENABLED) continue;
      out[k] = v as string | number | boolean;
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<IbParams> {
    for (let i = 0; i < this.size; i++) yield this.params(i);
  }

  /** The explicit point list (25,920 for standard; 1,478,400 for expanded). */
  points(): Record<string, string | number | boolean>[] {
    return Array.from({ length: this.size }, (_, i) => this.point(i));
  }
}
