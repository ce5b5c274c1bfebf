/**
 * M2 analysis bars built from a run of M1 bars (IB_RULES.md §1 "Bar alignment";
 * fast_backtest.py `_resample_m1_to_m2`): left-closed, left-labelled 2-minute bins aligned to
 * even UTC minutes; empty bins do not exist; a leading bin that starts before the first M1 bar
 * (the first M1 bar sits on an odd minute) is dropped, so that minute is invisible.
 *
 * One instance is reused as scratch space for every day, so building allocates nothing.
 */
import type { Bars } from '../market-data.js';

export class M2Bars {
  n = 0;
  label: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Global index of the first M1 bar inside each bin. */
  firstM1: Int32Array;

  constructor(capacity = 1024) {
    this.label = new Int32Array(capacity);
    this.open = new Float64Array(capacity);
    this.high = new Float64Array(capacity);
    this.low = new Float64Array(capacity);
    this.close = new Float64Array(capacity);
    this.firstM1 = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.label.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.label = g(this.label, (n) => new Int32Array(n));
    this.firstM1 = g(this.firstM1, (n) => new Int32Array(n));
    this.open = g(this.open, (n) => new Float64Array(n));
    this.high = g(this.high, (n) => new Float64Array(n));
    this.low = g(this.low, (n) => new Float64Array(n));
    this.close = g(this.close, (n) => new Float64Array(n));
  }

  /** Rebuilds the bins from M1 bars `from <= i < to` (sorted, unique times). */
  build(bars: Bars, from: number, to: number): void {
    const { time, open, high, low, close } = bars;
    let n = 0;
    let i = from;
    // The leading bin [t-1, t+1) of an odd first minute t holds only bar t and starts before it.
    if (i < to && (time[i] & 1) !== 0) i++;
    let label = -1;
    for (; i < to; i++) {
      const t = time[i];
      const lab = t - (t & 1);
      if (lab !== label) {
        if (n === this.label.length) this.grow();
        label = lab;
        this.label[n] = lab;
        this.firstM1[n] = i;
        this.open[n] = open[i];
        this.high[n] = high[i];
        this.low[n] = low[i];
        this.close[n] = close[i];
        n++;
      } else {
        const k = n - 1;
        if (high[i] > this.high[k]) this.high[k] = high[i];
        if (low[i] < this.low[k]) this.low[k] = low[i];
        this.close[k] = close[i];
      }
    }
    this.n = n;
  }
}
