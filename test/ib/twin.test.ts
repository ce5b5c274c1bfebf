/**
 * The twin check (issue 3 §4): the fast engine and the independently written reference engine
 * agree trade for trade on 1,000 random parameter sets over both symbols, real and synthetic
 * data, including DST change days, feed gaps, half days and bars touching stop and target.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { IbEngine } from '../../studies/ib/engine/engine.js';
import type { MarketData } from '../../studies/ib/market-data.js';
import type { IbParams, StopMode } from '../../studies/ib/params.js';
import { epochDayToIso } from '../../studies/ib/timezone.js';
import { hasRealData, loadReal, realGer40File, realXauFile, syntheticSlices, toRefBars } from './helpers.js';
import { type RefDay, prepareReferenceDays, referenceBacktest } from './reference-engine.js';

/** Small seeded generator so a failure names a reproducible parameter set. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function randomParams(rand: () => number, windows: string[]): IbParams {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const trail = rand() < 0.5;
  return {
    IB_WINDOW: pick(windows),
    // Odd waits start the window on an odd minute (the dropped leading M2 bin).
    IB_WAIT_MINUTES: rand() < 0.6 ? pick([0, 10, 15, 20]) : Math.floor(rand() * 46),
    TRADE_WINDOW_MINUTES: rand() < 0.5 ? pick([40, 60, 90, 120, 150, 180, 210, 240]) : 5 + Math.floor(rand() * 300),
    RR_TARGET: rand() < 0.5 ? pick([0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]) : 0.2 + 3 * rand(),
    STOP_MODE: pick<StopMode>(['ib_start', 'eq', 'cisd']),
    TSL_TARGET: trail ? (rand() < 0.5 ? pick([0.5, 0.75, 1, 1.25, 1.5, 2]) : 0.1 + 2 * rand()) : 0,
    TSL_SL: rand() < 0.5 ? pick([0.5, 0.75, 1, 1.25, 1.5, 2]) : 0.1 + 2 * rand(),
    MIN_SL_PCT: pick([0, 0.0005, 0.001, 0.0015, 0.003]),
    REV_RB_ENABLED: rand() < 0.5,
    REV_RB_PCT: rand() < 0.5 ? pick([0.5, 1]) : 0.1 + 1.5 * rand(),
    IB_BUFFER_PCT: rand() < 0.5 ? pick([0, 0.05, 0.1, 0.15, 0.2, 0.25]) : 0.4 * rand(),
    MAX_DISTANCE_PCT: rand() < 0.5 ? pick([0.5, 0.75, 1, 1.25, 1.5]) : 0.1 + 2 * rand(),
  };
}

interface DataSet {
  name: string;
  data: MarketData;
  ref: RefDay[];
  engine: IbEngine;
}

const PARAM_SETS = 1000;
const datasets: DataSet[] = [];

function make(name: string, data: MarketData): DataSet {
  return { name, data, ref: prepareReferenceDays(toRefBars(data), data.symbol), engine: new IbEngine(data) };
}

beforeAll(async () => {
  // Synthetic GER40: EU DST changes (late March, late October), half days (Dec 24/31), holes.
  datasets.push(make('synthetic GER40', syntheticSlices('GER40', [['2024-03-25', '2024-04-05'], ['2024-10-21', '2024-11-08'], ['2024-12-18', '2025-01-03']])));
  // Synthetic XAUUSD: US DST change (the daily break moves), US half days (Jul 4, Thanksgiving).
  datasets.push(make('synthetic XAUUSD', syntheticSlices('XAUUSD', [['2024-03-04', '2024-03-15'], ['2024-07-01', '2024-07-09'], ['2024-11-25', '2024-12-03']])));
  if (hasRealData) {
    // Real GER40 March 2018: New York stamped, across the US and EU DST changes, the 03-16 hole.
    datasets.push(make('real GER40', await loadReal('GER40', [realGer40File])));
    // Real XAUUSD March–April 2024: US DST (break moves), Good Friday, the 04-10 defect.
    datasets.push(make('real XAUUSD', await loadReal('XAUUSD', [realXauFile(3), realXauFile(4)])));
  }
}, 120_000);

describe('fast engine vs reference engine', () => {
  it(`agrees trade for trade on ${PARAM_SETS} random parameter sets`, () => {
    const rand = lcg(20240314);
    const seenSignals = new Set<string>();
    const seenReasons = new Set<string>();
    let trades = 0;
    let stopAndTargetBars = 0;
    for (let k = 0; k < PARAM_SETS; k++) {
      const ds = datasets[k % datasets.length];
      const p = randomParams(rand, ds.data.symbol.ibWindows);
      const fast = ds.engine.run(p, { trades: true }).trades!;
      const ref = referenceBacktest(ds.ref, ds.data.symbol, p);
      const context = `${ds.name}, parameter set #${k}: ${JSON.stringify(p)}`;
      expect(fast.length, context).toBe(ref.length);
      for (let i = 0; i < fast.length; i++) {
        const f = fast[i];
        const r = ref[i];
        const where = `${context}, trade ${i} on ${r.day}`;
        expect({ day: epochDayToIso(f.day), signal: f.signal, direction: f.direction, entryTime: f.entryTime * 60_000, exitTime: f.exitTime * 60_000 }, where).toEqual({
          day: r.day,
          signal: r.signal,
          direction: r.direction,
          entryTime: r.entryTime,
          exitTime: r.exitTime,
        });
        expect(f.entryPrice, where).toBeCloseTo(r.entryPrice, 9);
        expect(f.stop, where).toBeCloseTo(r.stop, 9);
        expect(f.exitPrice, where).toBeCloseTo(r.exitPrice, 9);
        expect(f.r, where).toBeCloseTo(r.r, 9);
        seenSignals.add(f.signal);
        seenReasons.add(f.exitReason);
        // A bar that reaches both the stop and the target (the TP-first rule decides it).
        const bars = ds.data.bars;
        const exitBar = bars.time.indexOf(f.exitTime);
        const long = f.direction === 'long';
        const touchesStop = long ? bars.low[exitBar] <= f.stop : bars.high[exitBar] >= f.stop;
        const touchesTarget = long ? bars.high[exitBar] >= f.target : bars.low[exitBar] <= f.target;
        if (f.exitReason === 'target' && touchesStop && touchesTarget) stopAndTargetBars++;
      }
      trades += fast.length;
    }
    // The random sets must exercise every signal type and exit kind, or the check proves little.
    expect([...seenSignals].sort()).toEqual(['OCAE', 'REV_RB', 'Reverse', 'TCWE']);
    expect([...seenReasons].sort()).toEqual(expect.arrayContaining(['stop', 'target', 'time']));
    expect(stopAndTargetBars).toBeGreaterThan(0);
    expect(trades).toBeGreaterThan(PARAM_SETS * 5);
  }, 300_000);

  it('finds the 08:00 Berlin session open on every real GER40 day across both DST changes', () => {
    const ds = datasets.find((d) => d.name === 'real GER40');
    if (ds === undefined) return;
    const { data } = ds;
    expect(data.dayDate.length).toBe(21);
    for (let d = 0; d < data.dayDate.length; d++) {
      const first = data.bars.time[data.dayStart[d]];
      const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(first * 60_000));
      // The feed's first bar is 08:00 or 08:01 Berlin (README: 08:01 on eight days).
      expect(['08:00', '08:01'], epochDayToIso(data.dayDate[d])).toContain(berlin);
      // The IB 08:00-09:00 window starts at 07:00 UTC before Mar 25 and 06:00 UTC after.
      const ibStartUtcHour = new Date(data.ib[1].startMin[d] * 60_000).getUTCHours();
      expect(ibStartUtcHour).toBe(data.dayDate[d] < Date.UTC(2018, 2, 25) / 86_400_000 ? 7 : 6);
    }
  });
});
