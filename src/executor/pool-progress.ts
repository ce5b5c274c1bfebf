/**
 * Progress across the pool's workers, on one stderr line: trials done (of the target), trials
 * per second, busy workers, ETA and best so far; with several studies on one pool, a short
 * figure per study. Drawn only on a terminal, at most every 100 ms; `line()` gives the text.
 */
import type { FrozenTrial } from '../frozen-trial.js';
import { FailureCount } from '../failure-budget.js';
import { StatusLine, formatDuration, formatRate, formatValue, searchDone } from '../progress.js';
import type { Study } from '../study.js';
import type { TextStream } from '../host-types.js';

const REDRAW_MS = 100;

interface Tracked {
  readonly study: Study;
  readonly total: number | undefined;
  /** The total is a target of finished trials: failed ones do not advance `done`. */
  readonly countsFinishedOnly: boolean;
  /** Finished before this run (a resumed study with a target counts on from there). */
  readonly startDone: number;
  done: number;
  best: { value: number; number: number } | null;
  readonly failures: FailureCount;
}

export class PoolProgress {
  private readonly runs: Tracked[] = [];
  private readonly started = performance.now();
  private readonly status: StatusLine;
  private readonly workers: number;
  private readonly busy: () => number;
  private lastDraw = 0;

  constructor(options: { workers: number; busy: () => number; stream?: TextStream; enabled?: boolean }) {
    const stream = options.stream ?? process.stderr;
    this.status = new StatusLine(stream, options.enabled ?? Boolean(stream.isTTY));
    this.workers = options.workers;
    this.busy = options.busy;
  }

  /**
   * Tracks a study; returns its index for `update`. With `alreadyDone` (trials the study had
   * finished before), `total` is a target of finished trials, which failed ones do not advance.
   */
  add(study: Study, total?: number, alreadyDone?: number): number {
    const startDone = alreadyDone ?? 0;
    this.runs.push({ study, total, countsFinishedOnly: alreadyDone !== undefined, startDone, done: startDone, best: null, failures: new FailureCount() });
    return this.runs.length - 1;
  }

  update(index: number, trial: FrozenTrial): void {
    const r = this.runs[index];
    r.failures.observe(trial);
    if (!(r.countsFinishedOnly && trial.state === 'FAIL')) r.done++;
    if (trial.state === 'COMPLETE' && trial.values && !r.study.isMultiObjective) {
      const v = trial.values[0];
      const better = r.study.direction === 'maximize' ? v > (r.best?.value ?? -Infinity) : v < (r.best?.value ?? Infinity);
      if (better) r.best = { value: v, number: trial.number };
    }
    const now = performance.now();
    if (this.status.enabled && now - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = now;
      this.status.draw(this.doneCount(), this.total(), this.line(now));
    }
  }

  private doneCount(): number {
    return this.runs.reduce((a, r) => a + r.done, 0);
  }

  private total(): number | undefined {
    const totals = this.runs.map((r) => r.total);
    return totals.every((t) => t !== undefined) ? (totals as number[]).reduce((a, t) => a + t, 0) : undefined;
  }

  /** The progress text as it would be drawn now. */
  line(now = performance.now()): string {
    const seconds = Math.max((now - this.started) / 1000, 1e-9);
    const done = this.doneCount();
    const total = this.total();
    const rate = (done - this.runs.reduce((a, r) => a + r.startDone, 0)) / seconds;
    const parts = [`trials ${done}${total !== undefined ? `/${total}` : ''}`, `${formatRate(rate)}/s`, `busy ${this.busy()}/${this.workers}`];
    if (total !== undefined && rate > 0) parts.push(`ETA ${formatDuration(Math.max(0, total - done) / rate)}`);
    if (this.runs.length === 1) {
      const grid = this.runs[0].countsFinishedOnly ? searchDone(this.runs[0].study, this.runs[0].done) : null;
      if (grid) parts.push(grid);
      const b = this.runs[0].best;
      if (b) parts.push(`best ${formatValue(b.value)} (#${b.number})`);
      const failed = this.runs[0].failures.text();
      if (failed) parts.push(failed);
    } else {
      for (const r of this.runs) {
        const failed = r.failures.text();
        const grid = r.countsFinishedOnly ? searchDone(r.study, r.done) : null;
        parts.push(`${r.study.studyName}: ${r.done}${r.total !== undefined ? `/${r.total}` : ''}${grid ? ` (${grid})` : ''}${r.best ? ` best ${formatValue(r.best.value)}` : ''}${failed ? `, ${failed}` : ''}`);
      }
    }
    return parts.join(' | ');
  }

  finish(): void {
    this.status.finish(this.doneCount(), this.total(), this.line());
  }
}
