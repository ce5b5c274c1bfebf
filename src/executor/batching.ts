/**
 * Adaptive batch size: how many trials one task carries. Sized from the measured time per trial
 * so that a task runs about `targetMs` (10–20 ms): long enough that the message round trip and
 * the main thread's dispatch (~tens of microseconds) are a small fraction of the work, short
 * enough that results, progress and the sampler's feedback stay fresh and a Ctrl-C is answered
 * at once. Objectives that take longer than the target run one trial per task.
 */
export class BatchSizer {
  private perTrialMs = Number.NaN;
  private last = 1;

  constructor(
    readonly targetMs = 15,
    readonly maxBatch = 4096,
  ) {}

  /** Feeds back a finished task: `trials` ran in `busyMs`. */
  observe(trials: number, busyMs: number): void {
    if (trials <= 0 || !(busyMs >= 0)) return;
    const x = busyMs / trials;
    // Smoothed, but quick to follow: objectives get faster as the JIT warms up.
    this.perTrialMs = Number.isNaN(this.perTrialMs) ? x : 0.6 * this.perTrialMs + 0.4 * x;
  }

  /** Measured milliseconds per trial (NaN before the first result). */
  get msPerTrial(): number {
    return this.perTrialMs;
  }

  /** True once trials are measured to be shorter than the target: batches of several, worth queueing ahead. */
  get batching(): boolean {
    return this.perTrialMs < this.targetMs / 2;
  }

  /** The next batch size: 1 until measured, then target / time per trial, growing at most 2x per task. */
  next(): number {
    if (!(this.perTrialMs >= 0)) return 1;
    const ideal = this.perTrialMs > 0 ? Math.floor(this.targetMs / this.perTrialMs) : this.maxBatch;
    const size = Math.max(1, Math.min(ideal, this.maxBatch, this.last * 2));
    this.last = size;
    return size;
  }
}
