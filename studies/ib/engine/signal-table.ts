/**
 * Per-day signal tables, computed once per signal key and cached by the engine.
 *
 * Which trade a day takes depends only on (IB window, wait, trade window, buffer, max distance)
 * — plus (REV_RB pct) on days with no primary signal — never on RR, stops or trailing. So a grid
 * of 25,920 combinations needs only 270 primary tables and 18 REV_RB tables per symbol, and each
 * backtest is then a pass over precomputed entries plus the exit simulation.
 */
import type { MarketData } from '../market-data.js';
import { M2Bars } from './m2-bars.js';
import {
  type DetectedSignal,
  type OppositeCandles,
  ReverseScratch,
  SIGNAL_OCAE,
  SIGNAL_REVERSE,
  SIGNAL_TCWE,
  cisdStop,
  detectOcae,
  detectRevRb,
  detectReverse,
  detectTcwe,
  emptySignal,
  firstEqTouch,
  scanOpposites,
} from './signals.js';

/** The trade window of each day for one (IB window, wait, length). */
export interface WindowTable {
  /** First and one-past-last M1 bar of the window; first === last when the day has no trade. */
  first: Int32Array;
  last: Int32Array;
  /** UTC minute of the window end (validity limit, IB_RULES.md §3 "Validity"). */
  endMin: Int32Array;
}

/** The day's chosen signal; `kind` SIGNAL_NONE means no trade. */
export interface SignalTable {
  kind: Int8Array;
  dir: Int8Array;
  /** Global index of the M1 bar the trade is entered on; exits are checked from the next bar. */
  entryBar: Int32Array;
  raw: Float64Array;
  tick: Float64Array;
  /** Initial stop by mode; Reverse stores its sweep extreme in all three. */
  stopIbStart: Float64Array;
  stopEq: Float64Array;
  stopCisd: Float64Array;
}

function newSignalTable(nDays: number): SignalTable {
  return {
    kind: new Int8Array(nDays),
    dir: new Int8Array(nDays),
    entryBar: new Int32Array(nDays),
    raw: new Float64Array(nDays),
    tick: new Float64Array(nDays),
    stopIbStart: new Float64Array(nDays),
    stopEq: new Float64Array(nDays),
    stopCisd: new Float64Array(nDays),
  };
}

export function buildWindowTable(data: MarketData, ibIndex: number, wait: number, length: number): WindowTable {
  const nDays = data.dayDate.length;
  const ib = data.ib[ibIndex];
  const time = data.bars.time;
  const out: WindowTable = { first: new Int32Array(nDays), last: new Int32Array(nDays), endMin: new Int32Array(nDays) };
  for (let d = 0; d < nDays; d++) {
    const start = ib.endMin[d] + wait;
    const end = start + length;
    const dayEnd = data.dayEnd[d];
    let a = ib.endBar[d];
    while (a < dayEnd && time[a] < start) a++;
    let b = a;
    // The window includes the bar that opens exactly at its end (fast_backtest `_get_trade_window`).
    while (b < dayEnd && time[b] <= end) b++;
    out.first[d] = a;
    // A day without IB bars is skipped (IB_RULES.md §2): an empty window says so.
    out.last[d] = Number.isNaN(ib.ibh[d]) ? a : b;
    out.endMin[d] = end;
  }
  return out;
}

/** Scratch objects shared by table builds (single-threaded). */
const m2 = new M2Bars();
const pre = new M2Bars();
const scratch = new ReverseScratch();
const opp: OppositeCandles = {
  bearishLow: 0,
  bearishHigh: 0,
  bullishLow: 0,
  bullishHigh: 0,
  hasBearish: false,
  hasBullish: false,
};
const rev = emptySignal();
const ocae = emptySignal();
const tcwe = emptySignal();

/**
 * The M1 bar a signal enters on (fast_backtest `_find_m1_idx_for_m2_time`): Reverse enters at
 * the open of its entry bar, the others after the signal bar closes; with no such bar in the
 * window, the window's last bar.
 */
function entryBarOf(kind: number, idx: number, lastBar: number): number {
  if (kind === SIGNAL_REVERSE) return m2.firstM1[idx];
  return idx + 1 < m2.n ? m2.firstM1[idx + 1] : lastBar - 1;
}

function isValid(s: DetectedSignal, endMin: number): boolean {
  const label = m2.label[s.idx];
  // OCAE/TCWE must wait for the signal bar to close; Reverse/REV_RB enter at the bar's time.
  return s.kind === SIGNAL_OCAE || s.kind === SIGNAL_TCWE ? label + 2 <= endMin : label <= endMin;
}

/** Primary signals (Reverse, OCAE, TCWE) and the day's choice among them (IB_RULES.md §3). */
export function buildPrimaryTable(
  data: MarketData,
  ibIndex: number,
  win: WindowTable,
  bufferPct: number,
  maxDistPct: number,
): SignalTable {
  const nDays = data.dayDate.length;
  const ib = data.ib[ibIndex];
  const out = newSignalTable(nDays);
  for (let d = 0; d < nDays; d++) {
    const ibh = ib.ibh[d];
    const ibl = ib.ibl[d];
    const a = win.first[d];
    const b = win.last[d];
    if (Number.isNaN(ibh) || a === b) continue;
    m2.build(data.bars, a, b);
    if (m2.n === 0) continue;
    const range = ibh - ibl;
    const buffer = bufferPct * range;
    const maxDist = maxDistPct * range;
    const eq = (ibh + ibl) / 2;
    pre.build(data.bars, ib.startBar[d], a);
    scanOpposites(pre, opp);
    const eqTouch = firstEqTouch(m2, eq);
    const endMin = win.endMin[d];
    let best: DetectedSignal | null = null;
    // Candidates in priority order Reverse < OCAE < TCWE; strict < keeps the earlier on ties.
    if (detectReverse(m2, ibh, ibl, buffer, opp, scratch, rev) && isValid(rev, endMin)) best = rev;
    if (detectOcae(m2, ibh, ibl, buffer, maxDist, eqTouch, ocae) && isValid(ocae, endMin)) {
      if (best === null || ocae.idx < best.idx) best = ocae;
    }
    if (detectTcwe(m2, ibh, ibl, buffer, maxDist, eqTouch, tcwe) && isValid(tcwe, endMin)) {
      if (best === null || tcwe.idx < best.idx) best = tcwe;
    }
    if (best === null) continue;
    out.kind[d] = best.kind;
    out.dir[d] = best.dir;
    out.entryBar[d] = entryBarOf(best.kind, best.idx, b);
    out.raw[d] = best.raw;
    out.tick[d] = best.tick;
    if (best.kind === SIGNAL_REVERSE) {
      out.stopIbStart[d] = best.sweepStop;
      out.stopEq[d] = best.sweepStop;
      out.stopCisd[d] = best.sweepStop;
    } else {
      // trade_start_price: open of the first M2 bar of the window (IB_RULES.md §4).
      const tradeStart = m2.open[0];
      out.stopIbStart[d] = tradeStart;
      out.stopEq[d] = eq;
      out.stopCisd[d] = cisdStop(m2, best.idx, best.dir, tradeStart);
    }
  }
  return out;
}

/** REV_RB entries, used only on days without a valid primary signal. Stop = EQ (all modes). */
export function buildRevRbTable(data: MarketData, ibIndex: number, win: WindowTable, pct: number): SignalTable {
  const nDays = data.dayDate.length;
  const ib = data.ib[ibIndex];
  const out = newSignalTable(nDays);
  const sig = emptySignal();
  for (let d = 0; d < nDays; d++) {
    const ibh = ib.ibh[d];
    const ibl = ib.ibl[d];
    const a = win.first[d];
    const b = win.last[d];
    if (Number.isNaN(ibh) || a === b) continue;
    m2.build(data.bars, a, b);
    if (m2.n === 0) continue;
    if (!detectRevRb(m2, ibh, ibl, pct, sig) || !isValid(sig, win.endMin[d])) continue;
    const eq = (ibh + ibl) / 2;
    out.kind[d] = sig.kind;
    out.dir[d] = sig.dir;
    out.entryBar[d] = entryBarOf(sig.kind, sig.idx, b);
    out.raw[d] = sig.raw;
    out.tick[d] = sig.tick;
    out.stopIbStart[d] = eq;
    out.stopEq[d] = eq;
    out.stopCisd[d] = eq;
  }
  return out;
}

