/**
 * From runs to the bench table: one row per sampler and budget, over the seeds.
 */
import type { BenchRow } from './experiments.js';
import type { Reference } from './reference.js';
import { trialsToReach } from './reference.js';
import type { RunResult } from './run.js';

export interface SummaryRow {
  readonly sampler: string;
  readonly budget: number;
  readonly seeds: number;
  /** Seeds whose run found a feasible trial. */
  readonly feasibleRuns: number;
  readonly medianBest: number | null;
  readonly minBest: number | null;
  readonly maxBest: number | null;
  /** Of the median best. */
  readonly percentOfOptimum: number | null;
  /** Of the median best, among the reference points (0–100). */
  readonly percentile: number;
  /** Median over seeds of the first trial reaching the top 1 % (null when most seeds did not). */
  readonly trialsToTop1: number | null;
  /** Seeds that reached the top 1 % within the budget. */
  readonly reachedTop1: number;
  readonly wallSeconds: number;
  readonly samplerMsPerTrial: number;
  readonly evalsPerSecond: number;
  /** Grid points / trials needed to reach the top 1 % (the grid's saving); null without a grid or a reach. */
  readonly timesFewerThanGrid: number | null;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The median of the bests, runs without a feasible trial (null) counting as the worst. */
function medianBest(values: readonly (number | null)[], maximize: boolean): number | null {
  const keyed = values.map((v) => (v === null ? (maximize ? -Infinity : Infinity) : v));
  const s = keyed.sort((a, b) => a - b);
  // With nulls as ∓Infinity at the bad end, a median that touches one is null.
  const m = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return Number.isFinite(m) ? m : null;
}

export function summarize(rows: readonly BenchRow[], runs: readonly RunResult[], reference: Reference): SummaryRow[] {
  const maximize = reference.direction === 'maximize';
  const threshold = reference.topThreshold(0.01);
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    const key = `${r.sampler}\u0000${r.budget}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const runOf = (sampler: string, seed: number): RunResult => {
    const run = runs.find((x) => x.sampler === sampler && x.seed === seed);
    if (!run) throw new Error(`no run for ${sampler} seed ${seed}`);
    return run;
  };
  const out: SummaryRow[] = [];
  for (const group of groups.values()) {
    const { sampler, budget } = group[0];
    const points = group.map((r) => {
      const run = runOf(sampler, r.seed);
      const at = run.atBudget.find((p) => p.budget === budget)!;
      const curve = run.curve.map((v) => (v === null ? Number.NaN : v));
      return { at, reach: trialsToReach(curve, threshold, reference.direction, budget) };
    });
    const bests = points.map((p) => p.at.best);
    const finite = bests.filter((b): b is number => b !== null);
    const med = medianBest(bests, maximize);
    const reaches = points.map((p) => p.reach ?? Infinity);
    const medReach = median(reaches);
    const wall = median(points.map((p) => p.at.wallSeconds));
    out.push({
      sampler,
      budget,
      seeds: group.length,
      feasibleRuns: finite.length,
      medianBest: med,
      minBest: finite.length ? Math.min(...finite) : null,
      maxBest: finite.length ? Math.max(...finite) : null,
      percentOfOptimum: reference.percentOfOptimum(med),
      percentile: reference.percentile(med),
      trialsToTop1: Number.isFinite(medReach) ? medReach : null,
      reachedTop1: reaches.filter(Number.isFinite).length,
      wallSeconds: wall,
      samplerMsPerTrial: median(points.map((p) => (1000 * (p.at.wallSeconds - p.at.objectiveSeconds)) / Math.max(1, p.at.trials))),
      evalsPerSecond: median(points.map((p) => p.at.trials / Math.max(p.at.wallSeconds, 1e-9))),
      timesFewerThanGrid: reference.kind === 'grid' && Number.isFinite(medReach) ? reference.size / medReach : null,
    });
  }
  return out;
}
