/**
 * Progress for long bench work (the grid's ground truth, the sampler runs): cli-progress bars
 * with rate, ETA and best so far, coloured with picocolors.
 *
 * - a terminal: bars and colours (colours off with NO_COLOR);
 * - a terminal with NO_COLOR: no bars either, one plain status line redrawn in place;
 * - not a terminal (a pipe, a CI log): one line when a phase starts and one when it ends;
 * - `quiet`: nothing.
 */
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import { formatDuration, formatRate, formatValue } from '../../progress.js';

export type ProgressMode = 'bars' | 'plain' | 'log' | 'off';

export interface ProgressSettings {
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export function progressMode(settings: ProgressSettings = {}): ProgressMode {
  if (settings.quiet) return 'off';
  const stream = settings.stream ?? process.stderr;
  const env = settings.env ?? process.env;
  if (!stream.isTTY) return 'log';
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? 'plain' : 'bars';
}

/** Colours for messages (the bench's table headings): on only in 'bars' mode. */
export function colors(mode: ProgressMode): ReturnType<typeof pc.createColors> {
  return pc.createColors(mode === 'bars');
}

function fmtBest(best: number | null): string {
  return best === null ? '—' : formatValue(best);
}

/** One line of text for a task: done/total, rate, ETA, best. */
export function statusText(label: string, done: number, total: number, seconds: number, best: number | null): string {
  const rate = done / Math.max(seconds, 1e-9);
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '?';
  return `${label} ${done}/${total} | ${formatRate(rate)}/s | ETA ${eta} | best ${fmtBest(best)}`;
}

export interface Task {
  /** `done` out of the task's total; `best` the best feasible value so far (null: none yet). */
  update(done: number, best: number | null): void;
  /** Ends the task's line (a final line in 'log' mode). */
  finish(note?: string): void;
}

/**
 * A set of progress lines: `task(label, total)` opens one. In 'bars' mode each task is a bar of
 * one cli-progress MultiBar (the overall run bar and one per run in flight).
 */
export class Progress {
  readonly mode: ProgressMode;
  private readonly stream: NodeJS.WriteStream;
  private multi: cliProgress.MultiBar | null = null;
  private lastPlain = 0;

  constructor(settings: ProgressSettings = {}) {
    this.mode = progressMode(settings);
    this.stream = settings.stream ?? process.stderr;
  }

  /** A message above the bars (or a plain line). */
  log(message: string): void {
    if (this.mode === 'off') return;
    if (this.multi) this.multi.log(`${message}\n`);
    else this.stream.write(`${this.mode === 'plain' ? '\r\x1b[2K' : ''}${message}\n`);
  }

  /** `transient`: in 'bars' mode the bar disappears when finished, and 'log' mode prints nothing for it. */
  task(label: string, total: number, options: { transient?: boolean } = {}): Task {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    switch (this.mode) {
      case 'off':
        return { update() {}, finish() {} };
      case 'log': {
        if (options.transient) return { update() {}, finish() {} };
        this.stream.write(`${label}: ${total} to do\n`);
        let last = { done: 0, best: null as number | null };
        return {
          update: (done, best) => (last = { done, best }),
          finish: (note) => this.stream.write(`${statusText(label, last.done, total, seconds(), last.best)}${note ? ` | ${note}` : ''}\n`),
        };
      }
      case 'plain': {
        if (options.transient) return { update() {}, finish() {} };
        let last = { done: 0, best: null as number | null };
        return {
          update: (done, best) => {
            last = { done, best };
            const now = performance.now();
            if (now - this.lastPlain < 100) return;
            this.lastPlain = now;
            this.stream.write(`\r\x1b[2K${statusText(label, done, total, seconds(), best)}`);
          },
          finish: (note) => this.stream.write(`\r\x1b[2K${statusText(label, last.done, total, seconds(), last.best)}${note ? ` | ${note}` : ''}\n`),
        };
      }
      case 'bars': {
        this.multi ??= new cliProgress.MultiBar(
          {
            stream: this.stream,
            format: `${pc.cyan('{label}')} ${pc.green('{bar}')} {percentage}% | {value}/{total} | {rate}/s | ETA {eta} | best ${pc.bold('{best}')}`,
            barCompleteChar: '█',
            barIncompleteChar: '░',
            barsize: 24,
            hideCursor: true,
            clearOnComplete: false,
            fps: 10,
            autopadding: true,
          },
          cliProgress.Presets.shades_classic,
        );
        const payload = (done: number, best: number | null) => {
          const s = seconds();
          const rate = done / Math.max(s, 1e-9);
          return { label, rate: formatRate(rate), eta: rate > 0 ? formatDuration((total - done) / rate) : '?', best: fmtBest(best) };
        };
        const bar = this.multi.create(total, 0, payload(0, null));
        let last = { done: 0, best: null as number | null };
        return {
          update: (done, best) => {
            last = { done, best };
            bar.update(done, payload(done, best));
          },
          finish: (note) => {
            bar.update(last.done, { ...payload(last.done, last.best), ...(note ? { label: `${label} (${note})` } : {}) });
            bar.stop();
            if (options.transient) this.multi?.remove(bar);
          },
        };
      }
    }
  }

  /** Stops the bars (keeps them on screen). */
  close(): void {
    this.multi?.stop();
    this.multi = null;
  }
}
