/** Growable columns of parsed bars, before sorting and de-duplication. */
export class RawBars {
  length = 0;
  time = new Float64Array(1024);
  open = new Float64Array(1024);
  high = new Float64Array(1024);
  low = new Float64Array(1024);
  close = new Float64Array(1024);

  push(t: number, o: number, h: number, l: number, c: number): void {
    if (this.length === this.time.length) {
      const cap = this.length * 2;
      for (const k of ['time', 'open', 'high', 'low', 'close'] as const) {
        const next = new Float64Array(cap);
        next.set(this[k]);
        this[k] = next;
      }
    }
    const i = this.length++;
    this.time[i] = t;
    this.open[i] = o;
    this.high[i] = h;
    this.low[i] = l;
    this.close[i] = c;
  }
}
