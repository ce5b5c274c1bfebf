/**
 * The sequential executor: `study.optimize` as a loop of ask, objective, tell.
 */
import { TrialPruned } from './errors.js';
import type { FrozenTrial } from './frozen-trial.js';
import { ProgressLine } from './progress.js';
import type { Study } from './study.js';
import { type OptimizeSummary, type RunBounds, RunSession, type StopReason } from './run-session.js';
import type { Trial } from './trial.js';

export type ObjectiveResult = number | readonly number[];
/** A define-by-run objective: suggest parameters on the trial, return the value(s) to optimise. */
export type Objective = (trial: Trial) => ObjectiveResult | Promise<ObjectiveResult>;
export type Callback = (study: Study, trial: FrozenTrial) => void;
type ErrorClass = abstract new (...args: never[]) => Error;

export interface OptimizeOptions extends RunBounds {
  /**
   * Which objective errors are caught (the trial is marked FAIL and the study goes on):
   * 'all' (default), 'none', or a list of error classes. Others are re-thrown after the trial
   * is recorded as FAIL.
   */
  catch?: 'all' | 'none' | readonly ErrorClass[];
  /** Called after each trial with the study and the finished trial. */
  callbacks?: readonly Callback[];
  /** A progress line on stderr (only drawn when stderr is a terminal). */
  showProgress?: boolean;
}

export type { OptimizeSummary, RunBounds, StopReason };

/** Yield to the event loop this often (ms) so that signals, timers and heartbeats get their turn. */
export const YIELD_EVERY_MS = 50;

export async function optimizeSequential(study: Study, objective: Objective, options: OptimizeOptions = {}): Promise<OptimizeSummary> {
  const session = new RunSession(study, options);
  const goal = session.progressGoal();
  const progress = options.showProgress ? new ProgressLine(study, goal.total, process.stderr, goal.alreadyDone) : null;
  session.begin();
  let stopReason: StopReason;
  let lastYield = performance.now();
  try {
    for (;;) {
      const reason = session.stopCheck();
      if (reason !== null) { stopReason = reason; break; }
      const trial = session.ask(true);
      if (!trial) { stopReason = session.endReason; break; }
      let frozen: FrozenTrial;
      let rethrow: unknown = undefined;
      try {
        const result = await objective(trial);
        frozen = study.tell(trial, result as number | readonly number[]);
      } catch (err) {
        if (err instanceof TrialPruned) {
          frozen = study.tell(trial, null, { state: 'PRUNED' });
        } else {
          frozen = study.tell(trial, null, { state: 'FAIL', failReason: describeError(err) });
          if (!isCaught(err, options.catch ?? 'all')) rethrow = err;
        }
      }
      session.finished(frozen);
      session.budget.observe(frozen);
      progress?.update(frozen);
      if (rethrow !== undefined) throw rethrow;
      for (const cb of options.callbacks ?? []) cb(study, frozen);
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  } finally {
    session.end();
    progress?.finish();
  }
  return session.summary(stopReason);
}

function isCaught(err: unknown, spec: 'all' | 'none' | readonly ErrorClass[]): boolean {
  if (spec === 'all') return true;
  if (spec === 'none') return false;
  return spec.some((cls) => err instanceof cls);
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `thrown value: ${String(err)}`;
}
