/**
 * Deterministic synthetic M1 data with the structure the IB strategy reacts to: a session
 * calendar with weekends, holidays and half days in the market's own (DST-correct) local time;
 * an intraday volatility pattern with busy opens (session open, cash open, US data and open);
 * trending and ranging days; volatility clustering; overnight and weekend gaps; and the odd
 * missing minute or feed hole. The same (symbol, years, seed, end) gives the same bars on every
 * machine: all randomness comes from one seeded xoshiro128** stream below.
 */
import type { Bars } from '../market-data.js';
import type { SymbolSpec } from '../symbols.js';
import { parseIbWindow } from '../symbols.js';
import { epochDay, epochDayToIso, isoToEpochDay, zonedToUtcMinute } from '../timezone.js';

/** Built-in data ends here so that the default data is the same whenever it is generated. */
export const DEFAULT_SYNTHETIC_END = '2025-06-30';
export const DEFAULT_SYNTHETIC_YEARS = 2.5;
export const DEFAULT_SYNTHETIC_SEED = 1;

export interface SyntheticOptions {
  years: number;
  seed: number;
  /** Last calendar date (inclusive), `YYYY-MM-DD`. */
  end: string;
}

/** xoshiro128** with splitmix32 seeding; kept here so the data never changes with src/rng.ts. */
class Stream {
  private s = new Uint32Array(4);
  private spare = Number.NaN;
  constructor(seed: number) {
    let a = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      a = (a + 0x9e3779b9) >>> 0;
      let z = a;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }
  uniform(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return (result + 0.5) / 4294967296;
  }
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const x = this.spare;
      this.spare = Number.NaN;
      return x;
    }
    const u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A volatility burst: starts at a local wall-clock time and decays over `decay` minutes. */
interface Burst {
  timeZone: string;
  minuteOfDay: number;
  strength: number;
  decay: number;
}

interface MarketProfile {
  startPrice: number;
  tick: number;
  /** Typical daily return standard deviation (fraction of price). */
  dailyVol: number;
  /** Typical overnight gap standard deviation (fraction of price). */
  gapVol: number;
  /** UTC [open, close) minutes of the session that belongs to calendar day `day`, or null. */
  session(day: number): [number, number] | null;
  bursts: Burst[];
}

/** Western Easter Sunday (anonymous Gregorian algorithm) as an epoch day. */
function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return epochDay(year, month, day);
}

function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** The n-th (1-based; -1 = last) given weekday of a month, as an epoch day. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = epochDay(year, month, 1);
    return first + ((weekday - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
  }
  const last = epochDay(year, month + 1, 1) - 1;
  return last - ((weekdayOf(last) - weekday + 7) % 7);
}

function ymd(day: number): [number, number, number] {
  const iso = epochDayToIso(day);
  return [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
}

const NY = 'America/New_York';

function ger40Profile(): MarketProfile {
  const tz = 'Europe/Berlin';
  return {
    startPrice: 15000,
    tick: 0.25,
    dailyVol: 0.011,
    gapVol: 0.004,
    session(day) {
      const wd = weekdayOf(day);
      if (wd === 0 || wd === 6) return null;
      const [y, m, d] = ymd(day);
      const e = easter(y);
      const closed =
        (m === 1 && d === 1) || (m === 5 && d === 1) || (m === 12 && (d === 25 || d === 26)) || day === e - 2 || day === e + 1;
      if (closed) return null;
      // Christmas Eve and New Year's Eve are half days: the session stops at 14:00.
      const half = m === 12 && (d === 24 || d === 31);
      return [zonedToUtcMinute(day, 8 * 60, tz), zonedToUtcMinute(day, half ? 14 * 60 : 22 * 60, tz)];
    },
    bursts: [
      { timeZone: tz, minuteOfDay: 8 * 60, strength: 1.2, decay: 25 },
      { timeZone: tz, minuteOfDay: 9 * 60, strength: 2.2, decay: 45 },
      { timeZone: NY, minuteOfDay: 8 * 60 + 30, strength: 1.2, decay: 15 },
      { timeZone: NY, minuteOfDay: 9 * 60 + 30, strength: 1.6, decay: 40 },
    ],
  };
}

function xauusdProfile(): MarketProfile {
  return {
    startPrice: 2000,
    tick: 0.005,
    dailyVol: 0.009,
    gapVol: 0.0015,
    session(day) {
      // Gold trades 18:00 New York (previous evening) to 17:00 New York, Monday to Friday.
      const wd = weekdayOf(day);
      if (wd === 0 || wd === 6) return null;
      const [y, m, d] = ymd(day);
      if ((m === 1 && d === 1) || (m === 12 && d === 25) || day === easter(y) - 2) return null;
      const usHoliday =
        day === nthWeekday(y, 1, 1, 3) ||
        day === nthWeekday(y, 2, 1, 3) ||
        day === nthWeekday(y, 5, 1, -1) ||
        (m === 6 && d === 19) ||
        (m === 7 && d === 4) ||
        day === nthWeekday(y, 9, 1, 1) ||
        day === nthWeekday(y, 11, 4, 4);
      // US holidays are half days: an early halt at 13:30 New York.
      return [zonedToUtcMinute(day - 1, 18 * 60, NY), zonedToUtcMinute(day, usHoliday ? 13 * 60 + 30 : 17 * 60, NY)];
    },
    bursts: [
      { timeZone: 'Asia/Tokyo', minuteOfDay: 9 * 60, strength: 1.3, decay: 40 },
      { timeZone: 'Europe/London', minuteOfDay: 8 * 60, strength: 1.4, decay: 40 },
      { timeZone: NY, minuteOfDay: 8 * 60 + 30, strength: 2.0, decay: 20 },
      { timeZone: NY, minuteOfDay: 9 * 60 + 30, strength: 1.2, decay: 40 },
    ],
  };
}

/** A user symbol: its trading hours on weekdays, busy at the start of each IB window. */
function genericProfile(spec: SymbolSpec): MarketProfile {
  const th = spec.tradingHours;
  const from = (th.fromHour ?? 0) * 60;
  const to = ((th.toHour ?? 23) + 1) * 60;
  const weekdays = new Set(th.weekdays ?? [1, 2, 3, 4, 5]);
  return {
    startPrice: 1000,
    tick: 0.01,
    dailyVol: 0.01,
    gapVol: 0.003,
    session(day) {
      if (!weekdays.has(weekdayOf(day))) return null;
      return [zonedToUtcMinute(day, from, th.timezone), zonedToUtcMinute(day, Math.min(to, 1440), th.timezone)];
    },
    bursts: spec.ibWindows.map((w) => ({
      timeZone: spec.timezone,
      minuteOfDay: parseIbWindow(w, spec.name).startMinute,
      strength: 1.5,
      decay: 40,
    })),
  };
}

function profileFor(spec: SymbolSpec): MarketProfile {
  if (spec.name === 'GER40') return ger40Profile();
  if (spec.name === 'XAUUSD') return xauusdProfile();
  return genericProfile(spec);
}

/** Growable output columns. */
class Out {
  n = 0;
  time = new Int32Array(1 << 16);
  open = new Float64Array(1 << 16);
  high = new Float64Array(1 << 16);
  low = new Float64Array(1 << 16);
  close = new Float64Array(1 << 16);
  push(t: number, o: number, h: number, l: number, c: number): void {
    if (this.n === this.time.length) {
      const cap = this.n * 2;
      const t2 = new Int32Array(cap);
      t2.set(this.time);
      this.time = t2;
      for (const k of ['open', 'high', 'low', 'close'] as const) {
        const a = new Float64Array(cap);
        a.set(this[k]);
        this[k] = a;
      }
    }
    const i = this.n++;
    this.time[i] = t;
    this.open[i] = o;
    this.high[i] = h;
    this.low[i] = l;
    this.close[i] = c;
  }
  bars(): Bars {
    return {
      time: this.time.slice(0, this.n),
      open: this.open.slice(0, this.n),
      high: this.high.slice(0, this.n),
      low: this.low.slice(0, this.n),
      close: this.close.slice(0, this.n),
    };
  }
}

/** Generates `years` of M1 bars ending on `end`, in UTC, sorted (before any trading-hours filter). */
export function generateSynthetic(spec: SymbolSpec, options: SyntheticOptions): Bars {
  const profile = profileFor(spec);
  const rng = new Stream(options.seed);
  const lastDay = isoToEpochDay(options.end);
  const firstDay = lastDay - Math.round(options.years * 365.25) + 1;
  const out = new Out();
  const round = (x: number) => Math.round(x / profile.tick) * profile.tick;
  let price = profile.startPrice;
  let logVol = 0; // AR(1) volatility clustering, in log units
  const minutesPerSession = 14 * 60;
  for (let day = firstDay; day <= lastDay; day++) {
    const session = profile.session(day);
    if (session === null) continue;
    const [open, close] = session;
    // Day character: vol regime, trending (a steady drift) or ranging (pulled back to the open).
    logVol = 0.75 * logVol + 0.3 * rng.normal();
    const dayVol = profile.dailyVol * Math.exp(logVol - 0.05);
    const trending = rng.uniform() < 0.4;
    const drift = trending ? (rng.uniform() < 0.5 ? -1 : 1) * (0.6 + 0.8 * rng.uniform()) * dayVol : 0;
    price *= 1 + profile.gapVol * rng.normal();
    const anchor = price;
    // Per-minute sigma so that a quiet-hours day integrates to roughly dayVol.
    const baseSigma = (dayVol / Math.sqrt(minutesPerSession)) * 0.8;
    // Bursts in UTC minutes for this day (DST-correct through the zones' own clocks).
    const burstStarts = profile.bursts.map((b) => zonedToUtcMinute(day, b.minuteOfDay, b.timeZone));
    // A rare feed hole of 20–90 minutes, and scattered missing minutes.
    const holeStart = rng.uniform() < 0.01 ? open + Math.floor(rng.uniform() * (close - open)) : -1;
    const holeEnd = holeStart + 20 + Math.floor(rng.uniform() * 70);
    let last = price;
    for (let t = open; t < close; t++) {
      let burst = 0;
      for (let k = 0; k < burstStarts.length; k++) {
        const dt = t - burstStarts[k];
        if (dt >= 0 && dt < 6 * profile.bursts[k].decay) burst += profile.bursts[k].strength * Math.exp(-dt / profile.bursts[k].decay);
      }
      const sigma = baseSigma * (1 + burst) * last;
      const pull = trending ? 0 : -0.004 * (last - anchor);
      const mu = (drift * last) / minutesPerSession + pull;
      // Four sub-steps per minute give the bar a path, hence a realistic high/low.
      const o = last + 0.15 * sigma * rng.normal();
      let p = o;
      let hi = o;
      let lo = o;
      for (let s = 0; s < 4; s++) {
        p += mu / 4 + (sigma / 2) * rng.normal();
        if (p > hi) hi = p;
        if (p < lo) lo = p;
      }
      last = p;
      const missing = (t >= holeStart && t < holeEnd) || rng.uniform() < 0.002;
      if (missing) continue;
      const ro = round(o);
      const rc = round(p);
      out.push(t, ro, Math.max(round(hi), ro, rc), Math.min(round(lo), ro, rc), rc);
    }
    price = last;
  }
  return out.bars();
}
