/**
 * The best cut so far of a scan over a node's groups in cut order (tree-grower.ts). A cut sends
 * the groups up to it left; it is scored by the reduction of the squared error (Breiman et al.
 * 1984), which for left sums (sl, wl) of the weighted responses and weights, and right sums
 * (sr, wr), ranks cuts as sl²·wr + sr²·wl over wl·wr. The score stays a fraction (num, den) so
 * that equal cuts compare equal exactly; the first of equals is kept.
 */
export class CutScan {
  num = -1;
  den = 0;
  /** The best cut's left sums. */
  sum = 0;
  weight = 0;
  found = false;

  reset(): void {
    this.num = -1;
    this.den = 0;
    this.sum = 0;
    this.weight = 0;
    this.found = false;
  }

  /** Considers the cut with left sums (sl, wl) of a node's (total, totalW): true when it is the best so far. */
  consider(sl: number, wl: number, total: number, totalW: number): boolean {
    const sr = total - sl;
    const wr = totalW - wl;
    const num = sl * sl * wr + sr * sr * wl;
    const den = wl * wr;
    if (this.found && !(num * this.den > this.num * den)) return false;
    this.num = num;
    this.den = den;
    this.sum = sl;
    this.weight = wl;
    this.found = true;
    return true;
  }
}
