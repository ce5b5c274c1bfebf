/**
 * One bench run: a sampler with a seed on the bench objective, ask/tell in this thread, up to
 * the run's largest budget, on an in-memory study (runs are measurements, not studies to keep).
 *
 * Recorded per trial: the best feasible value so far (infeasible and failed trials never
 * count); per budget: wall time, the objective's own time, so that sampler ms per trial is the
 * rest (ask, suggestions, tell and bookkeeping, as Optuna's overhead figures count it).
 */
import { isFeasible } from '../../frozen-trial.js';
import { createStudy } from '../../study.js';
import { createSampler } from '../../../samplers/index.js';
import { type RunSpec, maxBudget } from './experiments.js';
import type { BenchObjective, EvalClock } from './objectives.js';

export interface BudgetPoint {
  readonly budget: number;
  /** Trials actually run (less than the budget only when the grid ran out). */
  readonly trials: number;
  /** Best feasible value after `trials`, null if none was feasible. */
  readonly best: number | null;
  readonly wallSeconds: number;
  readonly objectiveSeconds: number;
}

export interface RunResult {
  readonly sampler: string;
  readonly seed: number;
  /** Best feasible value after each trial, null before the first feasible one. */
  readonly curve: (number | null)[];
  readonly atBudget: BudgetPoint[];
}

/** Called every few trials: trials done, best so far. */
export type RunProgress = (done: number, best: number | null) => void;

export function runOne(run: RunSpec, objective: BenchObjective, onProgress?: RunProgress): RunResult {
  const sampler = createSampler(run.sampler, { seed: run.seed }, { grid: objective.grid, retryFailed: false });
  const study = createStudy({ direction: objective.direction, sampler, constraints: objective.constraints });
  const n = maxBudget(run);
  const curve: (number | null)[] = [];
  const atBudget: BudgetPoint[] = [];
  const clock: EvalClock = { evalMs: 0 };
  const maximize = objective.direction === 'maximize';
  let best: number | null = null;
  let next = 0;
  let lastReport = 0;
  const started = performance.now();
  const record = (budget: number) =>
    atBudget.push({ budget, trials: curve.length, best, wallSeconds: (performance.now() - started) / 1000, objectiveSeconds: clock.evalMs / 1000 });
  for (let i = 0; i < n; i++) {
    const trial = study.tryAsk();
    if (trial === null) break; // the grid is exhausted
    let value: number | null = null;
    try {
      value = objective.evaluate(trial, clock);
    } catch (err) {
      study.tell(trial, null, { state: 'FAIL', failReason: String(err) });
    }
    if (value !== null) {
      const frozen = study.tell(trial, value);
      if (frozen.state === 'COMPLETE' && isFeasible(frozen)) {
        const v = frozen.values![0];
        if (best === null || (maximize ? v > best : v < best)) best = v;
      }
    }
    curve.push(best);
    while (next < run.budgets.length && curve.length === run.budgets[next]) record(run.budgets[next++]);
    if (onProgress && (i === n - 1 || performance.now() - lastReport > 100)) {
      lastReport = performance.now();
      onProgress(i + 1, best);
    }
  }
  while (next < run.budgets.length) record(run.budgets[next++]);
  return { sampler: run.sampler, seed: run.seed, curve, atBudget };
}
