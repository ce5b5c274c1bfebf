/**
 * The failure budget of a run: an objective that fails trial after trial (it throws, returns NaN,
 * its worker dies) is almost always broken, and failed trials do not count toward a `--trials`
 * target, so without a bound such a run would never end. Both executors stop starting trials once
 * the budget is spent, with stop reason 'failures' and the last failure's reason.
 *
 * Two rules, either ends the run:
 * - `inARow` failures in a row (in the order trials finish);
 * - more than `rate` of this run's finished trials failed, once `minTrials` of them finished.
 */
import type { FrozenTrial } from './frozen-trial.js';

export interface FailureBudgetOptions {
  /** Stop after this many failed trials in a row. Default 20; Infinity for no limit. */
  inARow?: number;
  /** Stop when more than this fraction of the run's trials failed (after `minTrials`). Default 0.8; 1 for no limit. */
  rate?: number;
  /** Trials the run must have finished before `rate` applies. Default 100. */
  minTrials?: number;
}

export const DEFAULT_FAILURE_BUDGET: Readonly<Required<FailureBudgetOptions>> = { inARow: 20, rate: 0.8, minTrials: 100 };

/** Checks options given by a user; returns a message naming the bad one, or null. */
export function checkFailureBudget(options: FailureBudgetOptions | false | undefined): string | null {
  if (options === false || options === undefined) return null;
  const { inARow, rate, minTrials } = options;
  if (inARow !== undefined && !(inARow === Infinity || (Number.isInteger(inARow) && inARow >= 1))) return `failureBudget.inARow must be a positive integer or Infinity, but got ${inARow}`;
  if (rate !== undefined && !(rate > 0 && rate <= 1)) return `failureBudget.rate must be in (0, 1], but got ${rate}`;
  if (minTrials !== undefined && !(Number.isInteger(minTrials) && minTrials >= 1)) return `failureBudget.minTrials must be a positive integer, but got ${minTrials}`;
  return null;
}

/** Failed trials of a run: how many, and how many in a row (the progress line shows them too). */
export class FailureCount {
  failed = 0;
  /** Failed trials since the last trial that did not fail. */
  inARow = 0;

  observe(trial: FrozenTrial): void {
    if (trial.state === 'FAIL') {
      this.failed++;
      this.inARow++;
    } else {
      this.inARow = 0;
    }
  }

  /** "12 failed (3 in a row)", or '' when none failed. */
  text(): string {
    if (this.failed === 0) return '';
    return `${this.failed} failed${this.inARow > 1 ? ` (${this.inARow} in a row)` : ''}`;
  }
}

export class FailureBudget {
  private readonly inARowLimit: number;
  private readonly rate: number;
  private readonly minTrials: number;
  private finished = 0;
  private readonly count = new FailureCount();
  /** The reason the most recent failed trial gave. */
  lastFailReason: string | null = null;

  /** `false` turns the budget off (the run never stops for failures). */
  constructor(options: FailureBudgetOptions | false = {}) {
    const o = options === false ? { inARow: Infinity, rate: 1, minTrials: Infinity } : { ...DEFAULT_FAILURE_BUDGET, ...options };
    this.inARowLimit = o.inARow;
    this.rate = o.rate;
    this.minTrials = o.minTrials;
  }

  /** Counts a trial this run finished. */
  observe(trial: FrozenTrial): void {
    this.finished++;
    this.count.observe(trial);
    if (trial.state === 'FAIL') {
      const reason = trial.systemAttrs.fail_reason;
      this.lastFailReason = typeof reason === 'string' ? reason : null;
    }
  }

  /** Why the budget is spent, in words, or null while it is not. */
  spent(): string | null {
    const { failed, inARow } = this.count;
    if (inARow >= this.inARowLimit) return `${inARow} trials failed in a row`;
    if (this.finished >= this.minTrials && failed > this.rate * this.finished) {
      return `${failed} of this run's ${this.finished} trials failed (more than ${Math.round(this.rate * 100)}%)`;
    }
    return null;
  }
}

/**
 * Thrown by `study.optimize` when the failure budget ended the run: failing trials mean a broken
 * objective, which a script should not mistake for a finished study. The summary says what ran.
 */
export class FailureBudgetExceeded extends Error {
  override name = 'FailureBudgetExceeded';
  constructor(
    readonly summary: { readonly nTrials: number; readonly failed: number; readonly failures?: { readonly why: string; readonly lastFailReason: string | null } },
  ) {
    super(
      `the run stopped because ${summary.failures?.why ?? 'too many trials failed'}; the last failure: ${summary.failures?.lastFailReason ?? 'no reason recorded'}. ` +
        'Fix the objective, or loosen the failure budget (optimize option failureBudget; the CLI flags --max-failures-in-a-row and --max-failure-rate)',
    );
  }
}
