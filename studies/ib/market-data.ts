/**
 * In-memory market data for one symbol: sorted, unique M1 bars in flat typed arrays, and the
 * per-trading-day index with the per-IB-window figures the engine needs (IB_RULES.md §1–2).
 *
 * Times are UTC minutes since the epoch (`Int32Array`; good until the year 6053). A trading day
 * is the calendar date of a bar in the symbol's IB time zone, so a day is a contiguous range of
 * bars: `dayStart[d] <= i < dayEnd[d]`.
 */
import type { SymbolSpec, TradingHours } from './symbols.js';
import { parseIbWindow } from './symbols.js';
import { OffsetTable, epochDayToIso, zonedToUtcMinute } from './timezone.js';

export interface Bars {
  time: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** Per-day figures of one IB window (the seed's IB cache: (start, end, tz) → date → IBH/IBL). */
export interface IbWindowDays {
  window: string;
  /** UTC minute of the localized IB start / end on each day (DST-correct). */
  startMin: Int32Array;
  endMin: Int32Array;
  /** IB high / low; NaN when the day has no bar inside the IB window (the day is skipped). */
  ibh: Float64Array;
  ibl: Float64Array;
  /** Index of the first bar at or after the IB start (where the Reverse pre-context begins). */
  startBar: Int32Array;
  /** Index of the first bar at or after the IB end (where trade windows begin searching). */
  endBar: Int32Array;
}

export interface MarketData {
  symbol: SymbolSpec;
  bars: Bars;
  /** Local (IB time zone) epoch day of each trading day, ascending. */
  dayDate: Int32Array;
  dayStart: Int32Array;
  dayEnd: Int32Array;
  ib: IbWindowDays[];
}

export function barCount(bars: Bars): number {
  return bars.time.length;
}

/** Keeps the bars the symbol trades (IB_RULES.md §1 trading-hours filter); returns new arrays. */
export function applyTradingHours(bars: Bars, hours: TradingHours): Bars {
  const n = bars.time.length;
  const keep = new Uint8Array(n);
  const table = new OffsetTable(hours.timezone);
  const weekdays = hours.weekdays ? new Set(hours.weekdays) : null;
  const from = hours.fromHour ?? 0;
  const to = hours.toHour ?? 23;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const local = table.localMinute(bars.time[i]);
    const hour = Math.floor(local / 60) - Math.floor(local / 1440) * 24;
    // 1970-01-01 was a Thursday (4).
    const weekday = (((Math.floor(local / 1440) + 4) % 7) + 7) % 7;
    if (hour >= from && hour <= to && (weekdays === null || weekdays.has(weekday))) {
      keep[i] = 1;
      kept++;
    }
  }
  const out: Bars = {
    time: new Int32Array(kept),
    open: new Float64Array(kept),
    high: new Float64Array(kept),
    low: new Float64Array(kept),
    close: new Float64Array(kept),
  };
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    out.time[j] = bars.time[i];
    out.open[j] = bars.open[i];
    out.high[j] = bars.high[i];
    out.low[j] = bars.low[i];
    out.close[j] = bars.close[i];
    j++;
  }
  return out;
}

/** Groups sorted bars into trading days and precomputes every IB window's figures. */
export function buildMarketData(symbol: SymbolSpec, bars: Bars): MarketData {
  const n = bars.time.length;
  const table = new OffsetTable(symbol.timezone);
  const dates: number[] = [];
  const starts: number[] = [];
  let prevDay = Number.NaN;
  for (let i = 0; i < n; i++) {
    const d = Math.floor(table.localMinute(bars.time[i]) / 1440);
    if (d !== prevDay) {
      dates.push(d);
      starts.push(i);
      prevDay = d;
    }
  }
  const nDays = dates.length;
  const dayDate = Int32Array.from(dates);
  const dayStart = Int32Array.from(starts);
  const dayEnd = new Int32Array(nDays);
  for (let d = 0; d < nDays; d++) dayEnd[d] = d + 1 < nDays ? dayStart[d + 1] : n;

  const ib = symbol.ibWindows.map((window) => {
    const { startMinute, endMinute } = parseIbWindow(window, `symbol ${symbol.name}`);
    const w: IbWindowDays = {
      window,
      startMin: new Int32Array(nDays),
      endMin: new Int32Array(nDays),
      ibh: new Float64Array(nDays),
      ibl: new Float64Array(nDays),
      startBar: new Int32Array(nDays),
      endBar: new Int32Array(nDays),
    };
    for (let d = 0; d < nDays; d++) {
      const s = zonedToUtcMinute(dayDate[d], startMinute, symbol.timezone);
      const e = zonedToUtcMinute(dayDate[d], endMinute, symbol.timezone);
      w.startMin[d] = s;
      w.endMin[d] = e;
      let hi = -Infinity;
      let lo = Infinity;
      let i = dayStart[d];
      const end = dayEnd[d];
      while (i < end && bars.time[i] < s) i++;
      w.startBar[d] = i;
      for (; i < end && bars.time[i] < e; i++) {
        if (bars.high[i] > hi) hi = bars.high[i];
        if (bars.low[i] < lo) lo = bars.low[i];
      }
      w.endBar[d] = i;
      w.ibh[d] = hi === -Infinity ? Number.NaN : hi;
      w.ibl[d] = lo === Infinity ? Number.NaN : lo;
    }
    return w;
  });
  return { symbol, bars, dayDate, dayStart, dayEnd, ib };
}

/** Index of the IB window named `window` (e.g. "08:00-09:00"), or -1. */
export function ibWindowIndex(data: MarketData, window: string): number {
  return data.ib.findIndex((w) => w.window === window);
}

/** First and last trading day as ISO dates, or null when there are none. */
export function dateRange(data: MarketData): { from: string; to: string } | null {
  const n = data.dayDate.length;
  if (n === 0) return null;
  return { from: epochDayToIso(data.dayDate[0]), to: epochDayToIso(data.dayDate[n - 1]) };
}

/** Half-open day-index range [lo, hi) of days whose local date lies in [fromDay, toDay]. */
export function dayRange(data: MarketData, fromDay: number, toDay: number): [number, number] {
  const dates = data.dayDate;
  let lo = 0;
  while (lo < dates.length && dates[lo] < fromDay) lo++;
  let hi = lo;
  while (hi < dates.length && dates[hi] <= toDay) hi++;
  return [lo, hi];
}
