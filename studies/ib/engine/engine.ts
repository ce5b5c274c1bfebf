/**
 * The fast IB backtest engine: one parameter set over a range of trading days.
 *
 * Signal detection is cached per signal key (see signal-table.ts); what remains per backtest is
 * stop/target placement and the M1 exit walk (IB_RULES.md §4), on flat typed arrays with no
 * allocation unless a trade list is asked for.
 */
import type { DayRange } from '../../../src/validation/folds.js';
import type { MarketData } from '../market-data.js';
import { ibWindowIndex } from '../market-data.js';
import { type IbMetrics, type MetricsOptions, computeMetrics } from '../metrics.js';
import type { IbParams } from '../params.js';
import type { Trade } from '../trade.js';
import {
  type SignalTable,
  type WindowTable,
  buildPrimaryTable,
  buildRevRbTable,
  buildWindowTable,
} from './signal-table.js';
import type { SharedSignalTables } from './shared-signal-tables.js';
import { SIGNAL_NAMES, SIGNAL_NONE, type SignalName } from './signals.js';

/** A stop move smaller than this (price units) does not count as a move (fast_backtest.py). */
const STOP_MOVE_EPSILON = 0.001;

/** Exit reasons, coded for the scratch arrays. */
const EXIT_STOP = 0;
const EXIT_TARGET = 1;
const EXIT_TIME = 2;
const EXIT_INVALID = 3;
const EXIT_NAMES = ['stop', 'target', 'time', 'invalid'] as const;

export interface RunOptions extends MetricsOptions {
  /** Half-open range of day indices; default all days. */
  dayFrom?: number;
  dayTo?: number;
  /**
   * Several half-open day ranges instead (a fold's parts, src/validation/folds.ts): their trades
   * make one result, in range order. Overrides dayFrom/dayTo.
   */
  ranges?: readonly DayRange[];
  /** Build the trade list (slower; the objective does not need it). */
  trades?: boolean;
}

export interface BacktestResult {
  metrics: IbMetrics;
  trades?: Trade[];
}

/** Bounds for the signal-table caches: enough for a whole expanded grid of one symbol. */
const MAX_CACHED_TABLES = 4096;

function remember<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= MAX_CACHED_TABLES) cache.delete(cache.keys().next().value as string);
    cache.set(key, v);
  }
  return v;
}

export class IbEngine {
  private readonly windows = new Map<string, WindowTable>();
  private readonly primary = new Map<string, SignalTable>();
  private readonly revRb = new Map<string, SignalTable>();
  private readonly halfSpread: number;
  private r: Float64Array;
  private profit: Float64Array;
  private kinds: Int8Array;
  /** Per trade, its day's ordinal among the days evaluated (metrics.ts computeMetrics `tradeDay`). */
  private tradeDays: Int32Array;

  /** `shared`: the signal tables of the pool's workers (shared-signal-tables.ts); none: built here. */
  constructor(
    readonly data: MarketData,
    private readonly shared?: SharedSignalTables,
  ) {
    this.halfSpread = data.symbol.spread / 2;
    const nDays = data.dayDate.length;
    this.r = new Float64Array(nDays);
    this.profit = new Float64Array(nDays);
    this.kinds = new Int8Array(nDays);
    this.tradeDays = new Int32Array(nDays);
  }

  get dayCount(): number {
    return this.data.dayDate.length;
  }

  private tables(p: IbParams): { win: WindowTable; prim: SignalTable; rb: SignalTable | null } {
    const ib = ibWindowIndex(this.data, p.IB_WINDOW);
    if (ib < 0) throw new Error(`IB window ${p.IB_WINDOW} is not one of ${this.data.symbol.name}'s`);
    const wKey = `${ib}|${p.IB_WAIT_MINUTES}|${p.TRADE_WINDOW_MINUTES}`;
    const win = remember(this.windows, wKey, () =>
      buildWindowTable(this.data, ib, p.IB_WAIT_MINUTES, p.TRADE_WINDOW_MINUTES),
    );
    const pKey = `primary|${wKey}|${p.IB_BUFFER_PCT}|${p.MAX_DISTANCE_PCT}`;
    const prim = remember(this.primary, pKey, () =>
      this.signalTable(pKey, () => buildPrimaryTable(this.data, ib, win, p.IB_BUFFER_PCT, p.MAX_DISTANCE_PCT)),
    );
    const rbKey = `rev_rb|${wKey}|${p.REV_RB_PCT}`;
    const rb = p.REV_RB_ENABLED
      ? remember(this.revRb, rbKey, () => this.signalTable(rbKey, () => buildRevRbTable(this.data, ib, win, p.REV_RB_PCT)))
      : null;
    return { win, prim, rb };
  }

  /** A signal table from the workers' shared memory when there is one (built once for all), else built here. */
  private signalTable(key: string, build: () => SignalTable): SignalTable {
    return this.shared ? this.shared.get(key, build) : build();
  }

  /** Runs one parameter set. Parameters must already be validated (see resolveParams). */
  run(p: IbParams, options: RunOptions = {}): BacktestResult {
    const { win, prim, rb } = this.tables(p);
    const { time, high, low, close } = this.data.bars;
    const half = this.halfSpread;
    const rr = p.RR_TARGET;
    const minSlPct = p.MIN_SL_PCT;
    const tslTarget = p.TSL_TARGET;
    const tslSl = p.TSL_SL;
    const noTrail = !(tslTarget > 0);
    const stopTable = p.STOP_MODE === 'eq' ? 'stopEq' : p.STOP_MODE === 'cisd' ? 'stopCisd' : 'stopIbStart';
    const ranges = options.ranges ?? [{ from: options.dayFrom ?? 0, to: options.dayTo ?? this.dayCount }];
    const trades: Trade[] | undefined = options.trades ? [] : undefined;
    const rOut = this.r;
    const profitOut = this.profit;
    const kindOut = this.kinds;
    const dayOut = this.tradeDays;
    let n = 0;
    // The ordinal of day d among the days evaluated (ranges in order); at the end, their count.
    let ordinal = 0;

    for (const { from, to } of ranges) for (let d = from; d < to; d++, ordinal++) {
      let t: SignalTable = prim;
      if (prim.kind[d] === SIGNAL_NONE) {
        if (rb === null || rb.kind[d] === SIGNAL_NONE) continue;
        t = rb;
      }
      const kind = t.kind[d];
      const dir = t.dir[d];
      const raw = t.raw[d];
      let stop = t[stopTable][d];
      if (kind === 4) {
        // REV_RB widens its EQ stop to MIN_SL_PCT of the level before placement (§3 REV_RB).
        const minSize = raw * minSlPct;
        if (Math.abs(raw - stop) < minSize) stop = dir === 1 ? raw - minSize : raw + minSize;
      }
      // Placement from the raw price (IB_RULES.md §4): mirror a wrong-side stop, widen to MIN_SL_PCT.
      if (dir === 1 ? stop >= raw : stop <= raw) stop = raw - dir * Math.abs(raw - stop);
      let risk = Math.abs(raw - stop);
      const minSl = raw * minSlPct;
      if (risk < minSl) {
        stop = raw - dir * minSl;
        risk = minSl;
      }
      const target0 = raw + dir * rr * risk;
      const entry = t.tick[d] + dir * half;
      const entryBar = t.entryBar[d];
      const lastBar = win.last[d];
      const execRisk = Math.abs(entry - stop);

      let exitPrice: number;
      let exitBar: number;
      let reason: number;
      let r: number;
      if (!(execRisk > 0)) {
        exitPrice = entry;
        exitBar = entryBar;
        reason = EXIT_INVALID;
        r = 0;
      } else {
        const tslRisk = Math.abs(raw - stop);
        let curStop = stop;
        let curTarget = target0;
        let prevStop = stop;
        reason = EXIT_TIME;
        exitBar = lastBar - 1;
        exitPrice = Number.NaN;
        if (dir === 1) {
          for (let i = entryBar + 1; i < lastBar; i++) {
            if (noTrail) {
              // 00522ec checks the target before the stop when not trailing (IB_RULES.md §4, §8).
              if (high[i] >= curTarget) {
                exitPrice = curTarget;
                exitBar = i;
                reason = EXIT_TARGET;
                break;
              }
            } else if (close[i - 1] + half >= curTarget) {
              const moved = curStop + tslSl * tslRisk;
              if (moved > curStop) curStop = moved;
              curTarget += tslTarget * tslRisk;
            }
            // A stop moved on this bar is not tested on this bar: the previous stop is.
            const check = Math.abs(curStop - prevStop) > STOP_MOVE_EPSILON ? prevStop : curStop;
            if (low[i] <= check) {
              exitPrice = high[i] >= check ? check : high[i];
              exitBar = i;
              reason = EXIT_STOP;
              break;
            }
            prevStop = curStop;
          }
        } else {
          for (let i = entryBar + 1; i < lastBar; i++) {
            if (noTrail) {
              if (low[i] <= curTarget) {
                exitPrice = curTarget;
                exitBar = i;
                reason = EXIT_TARGET;
                break;
              }
            } else if (close[i - 1] - half <= curTarget) {
              const moved = curStop - tslSl * tslRisk;
              if (moved < curStop) curStop = moved;
              curTarget -= tslTarget * tslRisk;
            }
            const check = Math.abs(curStop - prevStop) > STOP_MOVE_EPSILON ? prevStop : curStop;
            if (high[i] >= check) {
              exitPrice = low[i] <= check ? check : low[i];
              exitBar = i;
              reason = EXIT_STOP;
              break;
            }
            prevStop = curStop;
          }
        }
        if (reason === EXIT_TIME) {
          // The close of the last closed bar at window end (second-to-last), paying half spread.
          const first = win.first[d];
          const ref = lastBar - first >= 2 ? lastBar - 2 : lastBar - 1;
          exitPrice = close[ref] - dir * half;
        }
        r = (dir * (exitPrice - entry)) / execRisk;
      }
      rOut[n] = r;
      profitOut[n] = r * execRisk;
      kindOut[n] = kind;
      dayOut[n] = ordinal;
      n++;
      if (trades) {
        trades.push({
          day: this.data.dayDate[d],
          signal: SIGNAL_NAMES[kind] as SignalName,
          direction: dir === 1 ? 'long' : 'short',
          entryTime: time[entryBar],
          entryPrice: entry,
          stop,
          target: target0,
          exitTime: time[exitBar],
          exitPrice,
          exitReason: EXIT_NAMES[reason],
          r,
          profit: r * execRisk,
        });
      }
    }
    const metrics = computeMetrics(rOut, profitOut, kindOut, n, options, dayOut, ordinal);
    return trades ? { metrics, trades } : { metrics };
  }

  /** Number of cached signal tables (for benchmarks and memory reports). */
  cacheSizes(): { windows: number; primary: number; revRb: number } {
    return { windows: this.windows.size, primary: this.primary.size, revRb: this.revRb.size };
  }
}
