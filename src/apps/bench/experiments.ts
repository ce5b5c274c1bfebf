/**
 * A benchmark is a seeded generator of rows `{objective, sampler, budget, seed}` (nevergrad's
 * `Experiment`s): the plan is data, and running it is separate.
 *
 * Rows of the same objective, sampler and seed differ only in the budget. Every registered
 * sampler is budget-agnostic (none reads the trial count), so the run with budget B is exactly
 * the first B trials of the run with the largest budget; `runsOf` groups the rows into one run
 * per (sampler, seed) up to the largest budget, and each row reads its prefix. A test
 * (test/bench/bench.test.ts) checks the prefix property.
 */

export interface BenchRow {
  readonly objective: string;
  readonly sampler: string;
  readonly budget: number;
  readonly seed: number;
}

export interface BenchPlan {
  readonly objective: string;
  readonly samplers: readonly string[];
  readonly budgets: readonly number[];
  readonly seeds: readonly number[];
  /** Budgets a sampler is limited to (e.g. the GP sampler's cubic cost); default all. */
  readonly budgetsBySampler?: Readonly<Record<string, readonly number[]>>;
}

/** The seeds of `--seeds n`: 1..n (seed 0 reads as "unseeded" to too many people). */
export function seedList(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

export function budgetsOf(plan: BenchPlan, sampler: string): number[] {
  const allowed = plan.budgetsBySampler?.[sampler];
  return plan.budgets.filter((b) => allowed === undefined || allowed.includes(b));
}

export function* experiments(plan: BenchPlan): Generator<BenchRow> {
  for (const sampler of plan.samplers) {
    for (const budget of budgetsOf(plan, sampler)) {
      for (const seed of plan.seeds) yield { objective: plan.objective, sampler, budget, seed };
    }
  }
}

/** One run: a sampler with a seed up to the largest budget of its rows. */
export interface RunSpec {
  readonly objective: string;
  readonly sampler: string;
  readonly seed: number;
  /** Ascending; the run lasts budgets[budgets.length - 1] trials. */
  readonly budgets: readonly number[];
}

export function runsOf(rows: Iterable<BenchRow>): RunSpec[] {
  const byKey = new Map<string, { objective: string; sampler: string; seed: number; budgets: Set<number> }>();
  for (const r of rows) {
    const key = JSON.stringify([r.objective, r.sampler, r.seed]);
    let run = byKey.get(key);
    if (!run) byKey.set(key, (run = { objective: r.objective, sampler: r.sampler, seed: r.seed, budgets: new Set() }));
    run.budgets.add(r.budget);
  }
  return [...byKey.values()].map((r) => ({ ...r, budgets: [...r.budgets].sort((a, b) => a - b) }));
}

export function maxBudget(run: RunSpec): number {
  return run.budgets[run.budgets.length - 1];
}
