/**
 * Signal detection on one day's M2 trade-window bars (IB_RULES.md §3, version 00522ec;
 * fast_backtest.py `_check_reverse`, `_check_ocae`, `_check_tcwe`, `_check_rev_rb`).
 *
 * Each detector writes into a reusable {@link DetectedSignal} and returns whether it found one,
 * so scanning hundreds of thousands of days allocates nothing.
 */
import type { M2Bars } from './m2-bars.js';

export const SIGNAL_NONE = 0;
export const SIGNAL_REVERSE = 1;
export const SIGNAL_OCAE = 2;
export const SIGNAL_TCWE = 3;
export const SIGNAL_REV_RB = 4;
export const SIGNAL_NAMES = ['none', 'Reverse', 'OCAE', 'TCWE', 'REV_RB'] as const;
export type SignalName = Exclude<(typeof SIGNAL_NAMES)[number], 'none'>;

/** Reverse abandons a CISD farther than this many IB ranges from the level (hard-coded, §3). */
const REVERSE_MAX_CISD_DISTANCE = 0.5;

export interface DetectedSignal {
  kind: number;
  /** +1 long, -1 short. */
  dir: number;
  /** M2 index that orders signals: the entry bar for Reverse, the signal bar for OCAE/TCWE. */
  idx: number;
  /** Raw price SL/TP are computed from. */
  raw: number;
  /** Mid price the order executes at (before half spread). */
  tick: number;
  /** Reverse: the sweep-group extreme (its stop, whatever STOP_MODE says). */
  sweepStop: number;
}

export function emptySignal(): DetectedSignal {
  return { kind: SIGNAL_NONE, dir: 0, idx: -1, raw: Number.NaN, tick: Number.NaN, sweepStop: Number.NaN };
}

/** Last bearish / bullish M2 bar of the Reverse pre-context (IB start up to the window). */
export interface OppositeCandles {
  bearishLow: number;
  bearishHigh: number;
  bullishLow: number;
  bullishHigh: number;
  hasBearish: boolean;
  hasBullish: boolean;
}

export function scanOpposites(m2: M2Bars, out: OppositeCandles): void {
  out.hasBearish = false;
  out.hasBullish = false;
  for (let j = m2.n - 1; j >= 0 && !(out.hasBearish && out.hasBullish); j--) {
    const o = m2.open[j];
    const c = m2.close[j];
    if (!out.hasBearish && c < o) {
      out.hasBearish = true;
      out.bearishLow = m2.low[j];
      out.bearishHigh = m2.high[j];
    }
    if (!out.hasBullish && c > o) {
      out.hasBullish = true;
      out.bullishLow = m2.low[j];
      out.bullishHigh = m2.high[j];
    }
  }
}

/** Scratch space for sweep lists; sized to the largest window seen. */
export class ReverseScratch {
  dir = new Int8Array(512);
  idx = new Int32Array(512);
  ext = new Float64Array(512);
  ensure(n: number): void {
    if (this.dir.length >= n) return;
    this.dir = new Int8Array(n);
    this.idx = new Int32Array(n);
    this.ext = new Float64Array(n);
  }
}

/**
 * Reverse: failed breakout (sweep) then change in state of delivery (IB_RULES.md §3 Reverse,
 * 00522ec: the first group that produces an entry wins; no M1 sweep test).
 */
export function detectReverse(
  m2: M2Bars,
  ibh: number,
  ibl: number,
  buffer: number,
  pre: OppositeCandles,
  scratch: ReverseScratch,
  out: DetectedSignal,
): boolean {
  const n = m2.n;
  const range = ibh - ibl;
  if (!(range > 0) || n === 0) return false;
  scratch.ensure(2 * n);
  const up = ibh + buffer;
  const dn = ibl - buffer;
  const { open, high, low, close } = m2;
  // 1) Sweeps until the first bar that opens and closes beyond the buffer on one side.
  let ns = 0;
  for (let i = 0; i < n; i++) {
    const o = open[i];
    const c = close[i];
    if ((o > up && c > up) || (o < dn && c < dn)) break;
    if (high[i] > ibh && o <= up && c <= up) {
      scratch.dir[ns] = 1;
      scratch.idx[ns] = i;
      scratch.ext[ns] = high[i];
      ns++;
    }
    if (low[i] < ibl && o >= dn && c >= dn) {
      scratch.dir[ns] = -1;
      scratch.idx[ns] = i;
      scratch.ext[ns] = low[i];
      ns++;
    }
  }
  // 2) Groups of consecutive same-direction sweeps, taken in order; 3–4) CISD per group.
  let s = 0;
  while (s < ns) {
    const gDir = scratch.dir[s];
    const gStart = scratch.idx[s];
    let gEnd = gStart;
    let gExt = scratch.ext[s];
    let e = s + 1;
    while (e < ns && scratch.dir[e] === gDir && scratch.idx[e] === gEnd + 1) {
      gEnd = scratch.idx[e];
      gExt = gDir === 1 ? Math.max(gExt, scratch.ext[e]) : Math.min(gExt, scratch.ext[e]);
      e++;
    }
    s = e;
    // Last opposite-colour bar before the group: trade bars first, then the pre-context.
    let oppLow = Number.NaN;
    let oppHigh = Number.NaN;
    let found = false;
    for (let j = gStart - 1; j >= 0; j--) {
      if (gDir === 1 ? close[j] < open[j] : close[j] > open[j]) {
        oppLow = low[j];
        oppHigh = high[j];
        found = true;
        break;
      }
    }
    if (!found) {
      if (gDir === 1 && pre.hasBearish) {
        oppLow = pre.bearishLow;
        oppHigh = pre.bearishHigh;
        found = true;
      } else if (gDir === -1 && pre.hasBullish) {
        oppLow = pre.bullishLow;
        oppHigh = pre.bullishHigh;
        found = true;
      }
    }
    if (!found) continue;
    for (let k = gEnd + 1; k < n; k++) {
      const ck = close[k];
      if (gDir === 1 ? ck < oppLow : ck > oppHigh) {
        const distance = gDir === 1 ? ibh - ck : ck - ibl;
        if (distance >= REVERSE_MAX_CISD_DISTANCE * range) break;
        if (k + 1 < n) {
          out.kind = SIGNAL_REVERSE;
          out.dir = -gDir; // an upper sweep is sold, a lower sweep bought
          out.idx = k + 1;
          out.raw = open[k + 1];
          out.tick = close[k];
          out.sweepStop = gExt;
          return true;
        }
      }
    }
  }
  return false;
}

/** Index of the first bar whose range contains EQ, or n (IB_RULES.md §3 OCAE step 3). */
export function firstEqTouch(m2: M2Bars, eq: number): number {
  for (let i = 0; i < m2.n; i++) if (m2.low[i] <= eq && eq <= m2.high[i]) return i;
  return m2.n;
}

/** OCAE: the first in-range breakout close, valid only if EQ was touched up to it. */
export function detectOcae(
  m2: M2Bars,
  ibh: number,
  ibl: number,
  buffer: number,
  maxDist: number,
  eqTouch: number,
  out: DetectedSignal,
): boolean {
  if (!(ibh - ibl > 0) || m2.n === 0) return false;
  const up = ibh + buffer;
  const dn = ibl - buffer;
  const close = m2.close;
  for (let i = 0; i < m2.n; i++) {
    const c = close[i];
    let dir = 0;
    if (c > up && c - ibh <= maxDist) dir = 1;
    else if (c < dn && ibl - c <= maxDist) dir = -1;
    if (dir === 0) continue;
    if (eqTouch > i) return false;
    out.kind = SIGNAL_OCAE;
    out.dir = dir;
    out.idx = i;
    out.raw = c;
    out.tick = c;
    return true;
  }
  return false;
}

/** TCWE: a breakout with no EQ touch so far, then a later close further out, before any touch. */
export function detectTcwe(
  m2: M2Bars,
  ibh: number,
  ibl: number,
  buffer: number,
  maxDist: number,
  eqTouch: number,
  out: DetectedSignal,
): boolean {
  if (!(ibh - ibl > 0)) return false;
  const n = m2.n;
  const up = ibh + buffer;
  const dn = ibl - buffer;
  const close = m2.close;
  // Once EQ is touched no bar can start TCWE, so the scan stops there.
  const last = Math.min(n, eqTouch);
  let first = -1;
  let dir = 0;
  for (let i = 0; i < last; i++) {
    const c = close[i];
    if (c > up && c - ibh <= maxDist) {
      first = i;
      dir = 1;
      break;
    }
    if (c < dn && ibl - c <= maxDist) {
      first = i;
      dir = -1;
      break;
    }
  }
  if (first < 0) return false;
  const c1 = close[first];
  for (let j = first + 1; j < last; j++) {
    const c2 = close[j];
    const further = dir === 1 ? c2 > up && c2 > c1 && c2 - ibh <= maxDist : c2 < dn && c2 < c1 && ibl - c2 <= maxDist;
    if (further) {
      out.kind = SIGNAL_TCWE;
      out.dir = dir;
      out.idx = j;
      out.raw = c2;
      out.tick = c2;
      return true;
    }
  }
  return false;
}

/**
 * REV_RB (00522ec): a move of `pct` × range beyond the IB triggers a limit order back at the
 * level (long at IBH after an upside trigger; upside wins ties), filled on the first later bar
 * that trades there. The stop (EQ, widened to MIN_SL_PCT) is placed by the simulator.
 */
export function detectRevRb(m2: M2Bars, ibh: number, ibl: number, pct: number, out: DetectedSignal): boolean {
  const range = ibh - ibl;
  const n = m2.n;
  if (n === 0 || !(range > 0)) return false;
  const extUp = ibh + pct * range;
  const extDn = ibl - pct * range;
  let jUp = -1;
  let jDn = -1;
  for (let j = 0; j < n && (jUp < 0 || jDn < 0); j++) {
    if (jUp < 0 && m2.high[j] >= extUp) jUp = j;
    if (jDn < 0 && m2.low[j] <= extDn) jDn = j;
  }
  let dir: number;
  let trig: number;
  if (jUp >= 0 && (jDn < 0 || jUp <= jDn)) {
    dir = 1;
    trig = jUp;
  } else if (jDn >= 0) {
    dir = -1;
    trig = jDn;
  } else {
    return false;
  }
  const level = dir === 1 ? ibh : ibl;
  for (let k = trig + 1; k < n; k++) {
    if (dir === 1 ? m2.low[k] <= level : m2.high[k] >= level) {
      out.kind = SIGNAL_REV_RB;
      out.dir = dir;
      out.idx = k;
      out.raw = level;
      out.tick = level;
      return true;
    }
  }
  return false;
}

/** STOP_MODE `cisd`: extreme of the last opposite-colour bar before the signal bar. */
export function cisdStop(m2: M2Bars, idx: number, dir: number, fallback: number): number {
  for (let i = idx - 1; i >= 0; i--) {
    if (dir === 1 ? m2.close[i] < m2.open[i] : m2.close[i] > m2.open[i]) return dir === 1 ? m2.low[i] : m2.high[i];
  }
  return fallback;
}
