/**
 * How fast this process finishes the trials of a study: the mean time between finishes over
 * windows of PACE_WINDOW_TRIALS trials or PACE_WINDOW_MS, whichever ends first. A rate over a
 * window rather than the gap since the last finish, because a worker pool reports its results
 * in bursts.
 */
const PACE_WINDOW_TRIALS = 16;
const PACE_WINDOW_MS = 250;

export class Pace {
  private windowStart: number | null = null;
  private count = 0;
  /** ms between finishes over the last complete window; Infinity before the first. */
  interval = Infinity;

  finished(): void {
    const now = performance.now();
    if (this.windowStart === null) {
      this.windowStart = now;
      return;
    }
    this.count++;
    const elapsed = now - this.windowStart;
    if (this.count >= PACE_WINDOW_TRIALS || elapsed >= PACE_WINDOW_MS) {
      this.interval = elapsed / this.count;
      this.windowStart = now;
      this.count = 0;
    }
  }
}
