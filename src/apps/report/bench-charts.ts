/**
 * The bench comparison charts, from `studyopt bench --json` output: median best against the
 * budget, percentile among the grid points, trials needed to reach the top 1 %, the convergence
 * curves (median best-so-far over seeds), and sampler time per trial.
 */
import type { BenchResult } from '../bench/bench.js';
import { UsageError } from '../../errors.js';
import { formatMarkdownTable, TABLE_COLUMNS, tableCells } from '../bench/table.js';
import { type Chart, type Section, htmlTable } from './page.js';

/** Checks the shape of a parsed bench file (a clear message for a wrong file). */
export function checkBenchResult(value: unknown, path: string): BenchResult {
  const v = value as Partial<BenchResult> | null;
  if (!v || v.kind !== 'studyopt-bench' || !Array.isArray(v.rows) || !Array.isArray(v.runs)) {
    throw new UsageError(`--bench ${path} is not the JSON of 'studyopt bench --json': expected kind "studyopt-bench" with rows and runs`);
  }
  return v as BenchResult;
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function benchSections(r: BenchResult): Section[] {
  const color = { field: 'sampler', type: 'nominal', title: 'sampler', sort: r.plan.samplers };
  const rows = r.rows.map((x) => ({ ...x, medianBest: x.medianBest, reach: x.trialsToTop1 }));
  const budgetAxis = { field: 'budget', type: 'quantitative', title: 'budget (trials)', scale: { type: 'log' }, axis: { values: r.plan.budgets } };
  const best: Chart = {
    title: 'Median best value against budget',
    note: `Median over ${r.plan.seeds.length} seeds of the best feasible value; the dashed line is the ${r.reference.kind === 'grid' ? "grid's optimum" : 'known optimum'} (${r.reference.optimum}).`,
    spec: {
      width: 420,
      height: 260,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', point: true },
          encoding: { x: budgetAxis, y: { field: 'medianBest', type: 'quantitative', title: 'median best', scale: { zero: false } }, color, tooltip: [{ field: 'sampler' }, { field: 'budget' }, { field: 'medianBest', format: '.4~g' }] },
        },
        { data: { values: [{ optimum: r.reference.optimum }] }, mark: { type: 'rule', strokeDash: [5, 4], color: '#555' }, encoding: { y: { field: 'optimum', type: 'quantitative' } } },
      ],
    },
  };
  const percentile: Chart = {
    title: r.reference.kind === 'grid' ? 'Percentile among all grid points' : 'Percentile among uniform sample points',
    note: 'Share of the reference points the median best is at least as good as (100 = the optimum).',
    spec: {
      width: 420,
      height: 260,
      data: { values: rows },
      mark: { type: 'line', point: true },
      encoding: { x: budgetAxis, y: { field: 'percentile', type: 'quantitative', title: 'percentile', scale: { zero: false } }, color, tooltip: [{ field: 'sampler' }, { field: 'budget' }, { field: 'percentile', format: '.2f' }] },
    },
  };
  const largest = Math.max(...r.plan.budgets);
  const reachRows = r.rows
    .filter((x) => x.budget === Math.max(...r.rows.filter((y) => y.sampler === x.sampler).map((y) => y.budget)))
    .map((x) => ({ sampler: x.sampler, trials: x.trialsToTop1, reached: `${x.reachedTop1}/${x.seeds}`, budget: x.budget }))
    .filter((x) => x.trials !== null);
  const reach: Chart = {
    title: 'Trials to reach the top 1%',
    note: `Median over seeds of the first trial whose best is in the top 1% of the reference (at each sampler's largest budget, ${largest} by default); samplers that did not get there in most seeds are left out.`,
    spec: {
      width: 420,
      height: { step: 24 },
      data: { values: reachRows },
      mark: { type: 'bar' },
      encoding: { y: { field: 'sampler', type: 'nominal', sort: 'x', title: null }, x: { field: 'trials', type: 'quantitative', title: 'trials' }, color: { ...color, legend: null }, tooltip: [{ field: 'sampler' }, { field: 'trials' }, { field: 'reached' }] },
    },
  };
  // Convergence: the median over seeds of each sampler's best-so-far curve, thinned to ~120 points.
  const conv: Record<string, unknown>[] = [];
  for (const sampler of r.plan.samplers) {
    const runs = r.runs.filter((x) => x.sampler === sampler);
    if (runs.length === 0) continue;
    const n = Math.max(...runs.map((x) => x.curve.length));
    const step = Math.max(1, Math.floor(n / 120));
    for (let i = step - 1; i < n; i += step) {
      const vals = runs.map((x) => x.curve[Math.min(i, x.curve.length - 1)]).filter((v): v is number => v !== null);
      if (vals.length) conv.push({ sampler, trial: i + 1, best: medianOf(vals) });
    }
  }
  const convergence: Chart = {
    title: 'Convergence',
    note: 'Median over seeds of the best feasible value after each trial.',
    spec: {
      width: 420,
      height: 260,
      data: { values: conv },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: { x: { field: 'trial', type: 'quantitative', title: 'trial' }, y: { field: 'best', type: 'quantitative', title: 'best so far', scale: { zero: false } }, color },
    },
  };
  const cost: Chart = {
    title: 'Sampler time per trial',
    note: 'Milliseconds per trial outside the objective (sampling, bookkeeping), at the largest budget; log scale.',
    spec: {
      width: 420,
      height: { step: 24 },
      data: { values: r.rows.filter((x) => x.budget === Math.max(...r.rows.filter((y) => y.sampler === x.sampler).map((y) => y.budget))).map((x) => ({ sampler: x.sampler, ms: Math.max(x.samplerMsPerTrial, 1e-3) })) },
      mark: { type: 'bar' },
      encoding: { y: { field: 'sampler', type: 'nominal', sort: 'x', title: null }, x: { field: 'ms', type: 'quantitative', title: 'ms per trial', scale: { type: 'log' } }, color: { ...color, legend: null }, tooltip: [{ field: 'sampler' }, { field: 'ms', format: '.3f' }] },
    },
  };
  const ref = r.reference;
  return [
    {
      title: `Sampler benchmark: ${r.objective}`,
      intro:
        (ref.kind === 'grid'
          ? `Against the exhaustive grid of ${ref.size} points (optimum ${ref.optimum}, top 1% from ${ref.top1Threshold}); ${r.plan.seeds.length} seeds per sampler and budget, ${r.runs.length} runs in ${r.wallSeconds.toFixed(0)} s on ${r.workers} workers.`
          : `Against the known optimum ${ref.optimum}; percentiles among ${ref.size} seeded uniform points; ${r.plan.seeds.length} seeds per sampler and budget.`) +
        (r.searched ? ` ${r.searched.note.charAt(0).toUpperCase()}${r.searched.note.slice(1)}.` : ''),
      charts: [best, percentile, convergence, reach, cost],
      html: htmlTable([...TABLE_COLUMNS], r.rows.map(tableCells)),
    },
  ];
}

export { formatMarkdownTable };
