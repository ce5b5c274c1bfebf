import { describe, expect, it } from 'vitest';
import { type BenchResult, runBench } from '../../src/apps/bench/bench.js';
import { experiments, runsOf, seedList } from '../../src/apps/bench/experiments.js';
import { loadBenchObjective } from '../../src/apps/bench/objectives.js';
import { Progress } from '../../src/apps/bench/progress.js';
import { runOne } from '../../src/apps/bench/run.js';
import { formatTable } from '../../src/apps/bench/table.js';

const quiet = new Progress({ quiet: true });

/** The parts of a result that must not depend on timing. */
function deterministic(r: BenchResult) {
  return {
    rows: r.rows.map(({ wallSeconds: _w, samplerMsPerTrial: _s, evalsPerSecond: _e, ...rest }) => rest),
    curves: r.runs.map((x) => [x.sampler, x.seed, x.curve]),
    reference: { ...r.reference, seconds: 0 },
  };
}

describe('bench plan', () => {
  it('yields one row per sampler, budget and seed, with per-sampler budget limits', () => {
    const rows = [...experiments({ objective: 'f', samplers: ['random', 'gp'], budgets: [10, 30], seeds: seedList(3), budgetsBySampler: { gp: [10] } })];
    expect(rows).toHaveLength(2 * 3 + 1 * 3);
    expect(rows.filter((r) => r.sampler === 'gp').every((r) => r.budget === 10)).toBe(true);
    const runs = runsOf(rows);
    expect(runs).toHaveLength(6); // one run per (sampler, seed), up to the largest budget
    expect(runs.find((r) => r.sampler === 'random')!.budgets).toEqual([10, 30]);
  });
});

describe('bench runs', () => {
  it('is reproducible: same seeds, same table (test function, tiny budgets)', async () => {
    const config = { spec: { kind: 'function', name: 'hartmann6' } as const, samplers: ['random', 'tpe', 'cmaes', 'de', 'qmc'], budgets: [8, 20], seeds: seedList(2), workers: 1 };
    const a = await runBench(config, { progress: quiet });
    const b = await runBench(config, { progress: quiet });
    expect(deterministic(a)).toEqual(deterministic(b));
    expect(a.rows).toHaveLength(5 * 2);
    // The table prints every sampler and budget.
    const table = formatTable(a.rows);
    for (const s of config.samplers) expect(table).toContain(s);
    // Bests are never better than the known optimum and improve (or hold) with the budget.
    for (const row of a.rows) expect(row.medianBest!).toBeGreaterThanOrEqual(-3.32237 - 1e-9);
    for (const run of a.runs) {
      const [b8, b20] = run.atBudget;
      expect(b20.best!).toBeLessThanOrEqual(b8.best!);
    }
  });

  it('a run of budget B is the first B trials of a longer run (budgets share one run)', () => {
    const objective = loadBenchObjective({ kind: 'function', name: 'branin' });
    for (const sampler of ['random', 'tpe', 'gp', 'cmaes', 'de', 'qmc']) {
      const long = runOne({ objective: 'branin', sampler, seed: 3, budgets: [6, 14] }, objective);
      const short = runOne({ objective: 'branin', sampler, seed: 3, budgets: [6] }, objective);
      expect(long.curve.slice(0, 6), sampler).toEqual(short.curve);
      expect(long.atBudget[0].best, sampler).toBe(short.atBudget[0].best);
    }
  });

  it('infeasible IB trials (fewer trades than the minimum) never count as best', () => {
    const objective = loadBenchObjective({ kind: 'ib', symbol: 'GER40', grid: 'standard', metric: 'sharpe', minTrades: 1_000_000 });
    const run = runOne({ objective: 'ib', sampler: 'random', seed: 1, budgets: [5] }, objective);
    expect(run.curve).toEqual([null, null, null, null, null]);
    expect(run.atBudget[0].best).toBeNull();
    const feasible = runOne({ objective: 'ib', sampler: 'grid', seed: 1, budgets: [5] }, loadBenchObjective({ kind: 'ib', symbol: 'GER40', grid: 'standard', metric: 'sharpe', minTrades: 0 }));
    expect(feasible.curve.every((v) => typeof v === 'number')).toBe(true);
  });
});
