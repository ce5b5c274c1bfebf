/**
 * A one-line progress display on stderr: trials done, rate, best so far, ETA. Drawn only when
 * stderr is a terminal, redrawn at most every 100 ms so it never costs the run anything.
 */
import type { FrozenTrial } from './frozen-trial.js';
import type { Study } from './study.js';

const REDRAW_MS = 100;

export class ProgressLine {
  private readonly study: Study;
  private readonly total: number | undefined;
  private readonly started = performance.now();
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private done = 0;
  private readonly startDone: number;
  private best: { value: number; number: number } | null = null;
  private lastDraw = 0;

  /** `alreadyDone`: trials finished before this run (a resumed study counts on from there). */
  constructor(study: Study, total?: number, stream: NodeJS.WriteStream = process.stderr, alreadyDone = 0) {
    this.study = study;
    this.total = total;
    this.done = alreadyDone;
    this.startDone = alreadyDone;
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY) && !study.isMultiObjective;
  }

  update(trial: FrozenTrial): void {
    this.done++;
    if (trial.state === 'COMPLETE' && trial.values) {
      const v = trial.values[0];
      const better = this.study.direction === 'maximize' ? v > (this.best?.value ?? -Infinity) : v < (this.best?.value ?? Infinity);
      if (better) this.best = { value: v, number: trial.number };
    }
    const now = performance.now();
    if (this.enabled && now - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  finish(): void {
    if (!this.enabled || this.done === this.startDone) return;
    this.draw(performance.now());
    this.stream.write('\n');
  }

  private draw(now: number): void {
    const seconds = (now - this.started) / 1000;
    const rate = (this.done - this.startDone) / Math.max(seconds, 1e-9);
    const parts = [`trials ${this.done}${this.total !== undefined ? `/${this.total}` : ''}`, `${formatRate(rate)}/s`];
    if (this.best) parts.push(`best ${formatValue(this.best.value)} (#${this.best.number})`);
    if (this.total !== undefined && rate > 0) parts.push(`ETA ${formatDuration(Math.max(0, this.total - this.done) / rate)}`);
    this.stream.write(`\r\x1b[2K${parts.join(' | ')}`);
  }
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
