/**
 * A one-line progress display on stderr: trials done, rate, best so far, ETA. Drawn only when
 * stderr is a terminal, redrawn at most every 100 ms so it never costs the run anything; with a
 * known total it leads with a cli-progress bar, unless NO_COLOR asks for plain text.
 */
import cliProgress from 'cli-progress';
import { FailureCount } from './failure-budget.js';
import type { FrozenTrial } from './frozen-trial.js';
import type { Study } from './study.js';
import type { TextStream } from './host-types.js';

/**
 * Where a progress text goes: a cli-progress bar followed by the text when the stream is a
 * terminal, a total is known and NO_COLOR is unset; the text alone on a terminal otherwise;
 * nothing when the stream is not a terminal.
 */
export class StatusLine {
  readonly enabled: boolean;
  private readonly stream: TextStream;
  private bar: cliProgress.SingleBar | null = null;
  private drawn = false;

  constructor(stream: TextStream = process.stderr, enabled = Boolean(stream.isTTY)) {
    this.stream = stream;
    this.enabled = enabled;
  }

  draw(done: number, total: number | undefined, text: string): void {
    if (!this.enabled) return;
    this.drawn = true;
    if (total !== undefined && !process.env.NO_COLOR) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          { stream: this.stream as NodeJS.WritableStream, format: '{bar} {info}', barsize: 20, hideCursor: false, clearOnComplete: false, fps: 20, noTTYOutput: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(total, done, { info: text });
      } else {
        this.bar.setTotal(total);
        this.bar.update(done, { info: text });
      }
      return;
    }
    this.stream.write(`\r\x1b[2K${text}`);
  }

  /** Draws the final text and ends the line. */
  finish(done: number, total: number | undefined, text: string): void {
    if (!this.enabled || !this.drawn) return;
    if (this.bar) {
      this.bar.update(done, { info: text });
      this.bar.stop();
      return;
    }
    this.stream.write(`\r\x1b[2K${text}\n`);
  }
}

const REDRAW_MS = 100;

export class ProgressLine {
  private readonly study: Study;
  private readonly total: number | undefined;
  private readonly started = performance.now();
  private readonly status: StatusLine;
  private done = 0;
  private readonly startDone: number;
  private best: { value: number; number: number } | null = null;
  private lastDraw = 0;

  private readonly failures = new FailureCount();
  private readonly countsFinishedOnly: boolean;

  /**
   * `alreadyDone`: trials finished before this run (a resumed study counts on from there); with
   * it, `total` is a target of finished trials, which failed ones do not advance.
   */
  constructor(study: Study, total?: number, stream: NodeJS.WriteStream = process.stderr, alreadyDone?: number) {
    this.countsFinishedOnly = alreadyDone !== undefined;
    alreadyDone ??= 0;
    this.study = study;
    this.total = total;
    this.done = alreadyDone;
    this.startDone = alreadyDone;
    this.status = new StatusLine(stream, Boolean(stream.isTTY) && !study.isMultiObjective);
  }

  update(trial: FrozenTrial): void {
    this.failures.observe(trial);
    if (!(this.countsFinishedOnly && trial.state === 'FAIL')) this.done++;
    if (trial.state === 'COMPLETE' && trial.values) {
      const v = trial.values[0];
      const better = this.study.direction === 'maximize' ? v > (this.best?.value ?? -Infinity) : v < (this.best?.value ?? Infinity);
      if (better) this.best = { value: v, number: trial.number };
    }
    const now = performance.now();
    if (this.status.enabled && now - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = now;
      this.status.draw(this.done, this.total, this.text(now));
    }
  }

  finish(): void {
    if (this.done === this.startDone) return;
    this.status.finish(this.done, this.total, this.text(performance.now()));
  }

  private text(now: number): string {
    const seconds = (now - this.started) / 1000;
    const rate = (this.done - this.startDone) / Math.max(seconds, 1e-9);
    const parts = [`trials ${this.done}${this.total !== undefined ? `/${this.total}` : ''}`, `${formatRate(rate)}/s`];
    const grid = this.countsFinishedOnly ? searchDone(this.study, this.done) : null;
    if (grid) parts.push(grid);
    if (this.best) parts.push(`best ${formatValue(this.best.value)} (#${this.best.number})`);
    if (this.total !== undefined && rate > 0) parts.push(`ETA ${formatDuration(Math.max(0, this.total - this.done) / rate)}`);
    const failed = this.failures.text();
    if (failed) parts.push(failed);
    return parts.join(' | ');
  }
}

/**
 * How much of the sampler's search (a grid) the study has finished, for progress lines: `done` is
 * the study's finished trials; null when the sampler has no finite search.
 */
export function searchDone(study: Study, done: number): string | null {
  const size = study.sampler.searchSize;
  if (size === undefined) return null;
  return `grid ${formatPercent(Math.min(done, size) / size)} of ${size}`;
}

/** A fraction as a percentage with the digits that show it moving: 0.0068%, 1.2%, 100%. */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct === 0 || pct >= 100 ? pct.toFixed(0) : pct >= 10 ? pct.toFixed(1) : Number(pct.toPrecision(2)).toString()}%`;
}

export function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

export function formatValue(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : Number(v.toPrecision(6)).toString();
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
