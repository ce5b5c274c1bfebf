/**
 * Reference IB engine: a plain, bar-by-bar restatement of IB_RULES.md (00522ec) that follows
 * the Python fast_backtest.py step by step, written without the fast engine's code, caches or
 * typed arrays. It works on bar objects with millisecond times and asks Intl about every bar,
 * so it is slow and obviously shaped like the rules. The twin test compares it with the fast
 * engine trade for trade.
 */
import type { IbParams } from '../../studies/ib/params.js';
import type { SymbolSpec } from '../../studies/ib/symbols.js';

export interface RefBar {
  t: number; // UTC milliseconds, bar open
  o: number;
  h: number;
  l: number;
  c: number;
}

export interface RefTrade {
  day: string; // local YYYY-MM-DD
  signal: 'Reverse' | 'OCAE' | 'TCWE' | 'REV_RB';
  direction: 'long' | 'short';
  entryTime: number; // ms
  entryPrice: number;
  stop: number;
  exitTime: number; // ms
  exitPrice: number;
  r: number;
}

const MINUTE = 60_000;

const formats = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): { date: string; hour: number; minute: number; weekday: string } {
  if (!formats.has(timeZone)) formats.set(timeZone, makeFormat(timeZone));
  const parts = formats.get(timeZone)!.formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')), minute: Number(get('minute')), weekday: get('weekday') };
}

function makeFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  });
}

/** UTC ms of local wall-clock `hhmm` on local `date`, by trying every quarter-hour offset. */
function localize(date: string, hhmm: string, timeZone: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  const [hh, mm] = hhmm.split(':').map(Number);
  const naive = Date.UTC(y, mo - 1, d, hh, mm);
  for (let off = -14 * 60; off <= 14 * 60; off += 15) {
    const candidate = naive - off * MINUTE;
    const p = localParts(candidate, timeZone);
    if (p.date === date && p.hour === hh && p.minute === mm) return candidate;
  }
  throw new Error(`cannot localize ${date} ${hhmm} in ${timeZone}`);
}

const WEEKDAY_NUMBER: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export interface RefDay {
  date: string;
  bars: RefBar[];
  /** window label → [IB start ms, IB end ms] */
  windows: Map<string, [number, number]>;
}

/** Trading-hours filter and grouping by local date, done once per data set. */
export function prepareReferenceDays(allBars: RefBar[], spec: SymbolSpec): RefDay[] {
  const th = spec.tradingHours;
  const kept = allBars.filter((b) => {
    const p = localParts(b.t, th.timezone);
    if (th.fromHour !== undefined && p.hour < th.fromHour) return false;
    if (th.toHour !== undefined && p.hour > th.toHour) return false;
    if (th.weekdays !== undefined && !th.weekdays.includes(WEEKDAY_NUMBER[p.weekday])) return false;
    return true;
  });
  const byDate = new Map<string, RefBar[]>();
  for (const b of kept) {
    const date = localParts(b.t, spec.timezone).date;
    if (!byDate.has(date)) byDate.set(date, []);
    byDate.get(date)!.push(b);
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, bars]) => {
      const windows = new Map<string, [number, number]>();
      for (const w of spec.ibWindows) {
        const [s, e] = w.split('-');
        windows.set(w, [localize(date, s, spec.timezone), localize(date, e, spec.timezone)]);
      }
      return { date, bars: [...bars].sort((a, b) => a.t - b.t), windows };
    });
}

interface M2 {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** pandas resample("2min", label="left", closed="left") on UTC, dropna, drop bins before bar 1. */
function resampleM2(m1: RefBar[]): M2[] {
  if (m1.length === 0) return [];
  const bins = new Map<number, RefBar[]>();
  for (const b of m1) {
    const label = Math.floor(b.t / (2 * MINUTE)) * 2 * MINUTE;
    if (!bins.has(label)) bins.set(label, []);
    bins.get(label)!.push(b);
  }
  const out: M2[] = [];
  for (const [time, bs] of [...bins.entries()].sort((a, b) => a[0] - b[0])) {
    out.push({
      time,
      open: bs[0].o,
      high: Math.max(...bs.map((b) => b.h)),
      low: Math.min(...bs.map((b) => b.l)),
      close: bs[bs.length - 1].c,
    });
  }
  return out.filter((b) => b.time >= m1[0].t);
}

interface Signal {
  type: RefTrade['signal'];
  direction: 'long' | 'short';
  entryIdx: number;
  entryPrice: number;
  stopPrice: number;
  entryTime: number;
  tickPrice?: number;
}

function eqTouchedBefore(df: M2[], eq: number, idx: number): boolean {
  return df.slice(0, idx + 1).some((b) => b.low <= eq && b.high >= eq);
}

function checkReverse(df: M2[], pre: M2[], ibh: number, ibl: number, p: IbParams): Signal | null {
  const range = ibh - ibl;
  if (range <= 0 || df.length === 0) return null;
  const buffer = p.IB_BUFFER_PCT * range;
  const n = df.length;
  let sweeps: { dir: 'upper' | 'lower'; idx: number; ext: number }[] = [];
  let invalidAt: number | null = null;
  for (let i = 0; i < n; i++) {
    const { open: o, close: c, high: h, low: lo } = df[i];
    if ((o > ibh + buffer && c > ibh + buffer) || (o < ibl - buffer && c < ibl - buffer)) {
      invalidAt = i;
      break;
    }
    if (h > ibh && o <= ibh + buffer && c <= ibh + buffer) sweeps.push({ dir: 'upper', idx: i, ext: h });
    if (lo < ibl && o >= ibl - buffer && c >= ibl - buffer) sweeps.push({ dir: 'lower', idx: i, ext: lo });
  }
  if (invalidAt !== null) sweeps = sweeps.filter((s) => s.idx < invalidAt!);
  if (sweeps.length === 0) return null;
  const groups: { dir: 'upper' | 'lower'; start: number; end: number; ext: number }[] = [];
  let cur: (typeof groups)[number] | null = null;
  for (const s of sweeps) {
    if (cur !== null && s.dir === cur.dir && s.idx === cur.end + 1) {
      cur.end = s.idx;
      cur.ext = s.dir === 'upper' ? Math.max(cur.ext, s.ext) : Math.min(cur.ext, s.ext);
    } else {
      if (cur !== null) groups.push(cur);
      cur = { dir: s.dir, start: s.idx, end: s.idx, ext: s.ext };
    }
  }
  if (cur !== null) groups.push(cur);
  for (const g of groups) {
    const ctx = [...pre, ...df.slice(0, g.start)];
    let opp: M2 | null = null;
    for (let j = ctx.length - 1; j >= 0; j--) {
      const bearish = ctx[j].close < ctx[j].open;
      const bullish = ctx[j].close > ctx[j].open;
      if ((g.dir === 'upper' && bearish) || (g.dir === 'lower' && bullish)) {
        opp = ctx[j];
        break;
      }
    }
    if (opp === null) continue;
    for (let k = g.end + 1; k < n; k++) {
      const ck = df[k].close;
      const cisd = g.dir === 'upper' ? ck < opp.low : ck > opp.high;
      if (!cisd) continue;
      const distance = g.dir === 'upper' ? ibh - ck : ck - ibl;
      if (distance >= 0.5 * range) break;
      if (k + 1 < n) {
        return {
          type: 'Reverse',
          direction: g.dir === 'upper' ? 'short' : 'long',
          entryIdx: k + 1,
          entryPrice: df[k + 1].open,
          stopPrice: g.ext,
          entryTime: df[k + 1].time,
          tickPrice: ck,
        };
      }
    }
  }
  return null;
}

function stopFor(df: M2[], idx: number, direction: 'long' | 'short', tradeStart: number, eq: number, p: IbParams): number {
  if (p.STOP_MODE === 'eq') return eq;
  if (p.STOP_MODE === 'cisd') {
    for (let i = idx - 1; i >= 0; i--) {
      if (direction === 'long' && df[i].close < df[i].open) return df[i].low;
      if (direction === 'short' && df[i].close > df[i].open) return df[i].high;
    }
  }
  return tradeStart;
}

function checkOcae(df: M2[], ibh: number, ibl: number, eq: number, tradeStart: number, p: IbParams): Signal | null {
  const range = ibh - ibl;
  if (range <= 0 || df.length === 0) return null;
  const buffer = p.IB_BUFFER_PCT * range;
  const maxDist = p.MAX_DISTANCE_PCT * range;
  let idx: number | null = null;
  let direction: 'long' | 'short' = 'long';
  for (let i = 0; i < df.length; i++) {
    const c = df[i].close;
    if (c > ibh + buffer && c - ibh <= maxDist) {
      idx = i;
      direction = 'long';
      break;
    }
    if (c < ibl - buffer && ibl - c <= maxDist) {
      idx = i;
      direction = 'short';
      break;
    }
  }
  if (idx === null || !eqTouchedBefore(df, eq, idx)) return null;
  return {
    type: 'OCAE',
    direction,
    entryIdx: idx,
    entryPrice: df[idx].close,
    stopPrice: stopFor(df, idx, direction, tradeStart, eq, p),
    entryTime: df[idx].time,
  };
}

function checkTcwe(df: M2[], ibh: number, ibl: number, eq: number, tradeStart: number, p: IbParams): Signal | null {
  const range = ibh - ibl;
  if (range <= 0) return null;
  const buffer = p.IB_BUFFER_PCT * range;
  const maxDist = p.MAX_DISTANCE_PCT * range;
  let firstLong: number | null = null;
  let firstShort: number | null = null;
  for (let i = 0; i < df.length; i++) {
    const c = df[i].close;
    if (c > ibh + buffer && !eqTouchedBefore(df, eq, i) && c - ibh <= maxDist) {
      firstLong = i;
      break;
    }
    if (c < ibl - buffer && !eqTouchedBefore(df, eq, i) && ibl - c <= maxDist) {
      firstShort = i;
      break;
    }
  }
  const first = firstLong ?? firstShort;
  if (first === null) return null;
  const direction = firstLong !== null ? 'long' : 'short';
  const c1 = df[first].close;
  for (let j = first + 1; j < df.length; j++) {
    if (eqTouchedBefore(df, eq, j)) break;
    const c2 = df[j].close;
    const ok = direction === 'long' ? c2 > ibh + buffer && c2 > c1 && c2 - ibh <= maxDist : c2 < ibl - buffer && c2 < c1 && ibl - c2 <= maxDist;
    if (ok) {
      return {
        type: 'TCWE',
        direction,
        entryIdx: j,
        entryPrice: c2,
        stopPrice: stopFor(df, j, direction, tradeStart, eq, p),
        entryTime: df[j].time,
      };
    }
  }
  return null;
}

function checkRevRb(df: M2[], ibh: number, ibl: number, eq: number, p: IbParams): Signal | null {
  if (!p.REV_RB_ENABLED || df.length === 0) return null;
  const range = ibh - ibl;
  if (range <= 0) return null;
  const extUp = ibh + p.REV_RB_PCT * range;
  const extDn = ibl - p.REV_RB_PCT * range;
  const jUp = df.findIndex((b) => b.high >= extUp);
  const jDn = df.findIndex((b) => b.low <= extDn);
  if (jUp < 0 && jDn < 0) return null;
  const direction = jUp >= 0 && (jDn < 0 || jUp <= jDn) ? 'long' : 'short';
  const trig = direction === 'long' ? jUp : jDn;
  const level = direction === 'long' ? ibh : ibl;
  let stop = eq;
  const minSl = level * p.MIN_SL_PCT;
  if (Math.abs(level - stop) < minSl) stop = direction === 'long' ? level - minSl : level + minSl;
  for (let k = trig + 1; k < df.length; k++) {
    const fills = direction === 'long' ? df[k].low <= level : df[k].high >= level;
    if (fills) return { type: 'REV_RB', direction, entryIdx: k, entryPrice: level, stopPrice: stop, entryTime: df[k].time };
  }
  return null;
}

/** Runs one parameter set over prepared days; returns the trades in day order. */
export function referenceBacktest(days: RefDay[], spec: SymbolSpec, p: IbParams): RefTrade[] {
  const half = spec.spread / 2;
  const trades: RefTrade[] = [];
  for (const day of days) {
    const [ibStart, ibEnd] = day.windows.get(p.IB_WINDOW)!;
    const ibBars = day.bars.filter((b) => b.t >= ibStart && b.t < ibEnd);
    if (ibBars.length === 0) continue;
    const ibh = Math.max(...ibBars.map((b) => b.h));
    const ibl = Math.min(...ibBars.map((b) => b.l));
    const eq = (ibh + ibl) / 2;
    const tradeStart = ibEnd + p.IB_WAIT_MINUTES * MINUTE;
    const tradeEnd = tradeStart + p.TRADE_WINDOW_MINUTES * MINUTE;
    const m1 = day.bars.filter((b) => b.t >= tradeStart && b.t <= tradeEnd);
    if (m1.length === 0) continue;
    const df = resampleM2(m1);
    if (df.length === 0) continue;
    const pre = resampleM2(day.bars.filter((b) => b.t >= ibStart && b.t < m1[0].t));
    const tradeStartPrice = df[0].open;
    const valid = (s: Signal | null): s is Signal => {
      if (s === null) return false;
      const when = s.type === 'OCAE' || s.type === 'TCWE' ? s.entryTime + 2 * MINUTE : s.entryTime;
      return when <= tradeEnd;
    };
    const priority = { Reverse: 0, OCAE: 1, TCWE: 2, REV_RB: 3 };
    const candidates = [
      checkReverse(df, pre, ibh, ibl, p),
      checkOcae(df, ibh, ibl, eq, tradeStartPrice, p),
      checkTcwe(df, ibh, ibl, eq, tradeStartPrice, p),
    ].filter(valid);
    let signal: Signal | null = null;
    if (candidates.length > 0) {
      signal = candidates.reduce((a, b) =>
        b.entryIdx < a.entryIdx || (b.entryIdx === a.entryIdx && priority[b.type] < priority[a.type]) ? b : a,
      );
    } else {
      const rb = checkRevRb(df, ibh, ibl, eq, p);
      if (valid(rb)) signal = rb;
    }
    if (signal === null) continue;
    trades.push(simulate(day.date, m1, signal, p, half));
  }
  return trades;
}

function simulate(date: string, m1: RefBar[], s: Signal, p: IbParams, half: number): RefTrade {
  const long = s.direction === 'long';
  // Map the M2 entry to M1: Reverse at its bar's open, the others after the bar closes.
  const at = s.type === 'Reverse' ? s.entryTime : s.entryTime + 2 * MINUTE;
  let start = m1.findIndex((b) => b.t >= at);
  if (start < 0) start = m1.length - 1;
  // SL/TP from the raw price.
  const raw = s.entryPrice;
  let stop = s.stopPrice;
  if (long && stop >= raw) stop = raw - Math.abs(raw - stop);
  if (!long && stop <= raw) stop = raw + Math.abs(raw - stop);
  let risk = Math.abs(raw - stop);
  const minSl = raw * p.MIN_SL_PCT;
  if (risk < minSl) {
    stop = long ? raw - minSl : raw + minSl;
    risk = minSl;
  }
  const tp = long ? raw + p.RR_TARGET * risk : raw - p.RR_TARGET * risk;
  const tick = s.tickPrice ?? raw;
  const entry = long ? tick + half : tick - half;
  const base = { day: date, signal: s.type, direction: s.direction, entryTime: m1[start].t, entryPrice: entry, stop };
  const execRisk = Math.abs(entry - stop);
  if (execRisk <= 0) return { ...base, exitTime: m1[start].t, exitPrice: entry, r: 0 };
  const rOf = (price: number) => (long ? price - entry : entry - price) / execRisk;
  const trail = p.TSL_TARGET > 0;
  const tslRisk = Math.abs(raw - stop);
  let curStop = stop;
  let curTp = tp;
  let prevStop = stop;
  for (let i = start + 1; i < m1.length; i++) {
    const bar = m1[i];
    if (!trail) {
      if (long ? bar.h >= curTp : bar.l <= curTp) return { ...base, exitTime: bar.t, exitPrice: curTp, r: rOf(curTp) };
    } else {
      const prevClose = m1[i - 1].c;
      if (long && prevClose + half >= curTp) {
        curStop = Math.max(curStop, curStop + p.TSL_SL * tslRisk);
        curTp += p.TSL_TARGET * tslRisk;
      }
      if (!long && prevClose - half <= curTp) {
        curStop = Math.min(curStop, curStop - p.TSL_SL * tslRisk);
        curTp -= p.TSL_TARGET * tslRisk;
      }
    }
    const check = Math.abs(curStop - prevStop) > 0.001 ? prevStop : curStop;
    if (long && bar.l <= check) {
      const price = bar.h >= check ? check : bar.h;
      return { ...base, exitTime: bar.t, exitPrice: price, r: rOf(price) };
    }
    if (!long && bar.h >= check) {
      const price = bar.l <= check ? check : bar.l;
      return { ...base, exitTime: bar.t, exitPrice: price, r: rOf(price) };
    }
    prevStop = curStop;
  }
  const ref = m1.length >= 2 ? m1[m1.length - 2].c : m1[m1.length - 1].c;
  const price = long ? ref - half : ref + half;
  return { ...base, exitTime: m1[m1.length - 1].t, exitPrice: price, r: rOf(price) };
}
