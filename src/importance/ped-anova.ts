/**
 * Parameter importances by PED-ANOVA (Watanabe, Bansal & Hutter, "PED-ANOVA: Efficiently
 * Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023), as Optuna's
 * `PedAnovaImportanceEvaluator` computes it.
 *
 * The local variance a parameter explains in the top-γ' region relative to the γ region has a
 * closed form (Theorem 1): V_d ∝ (γ'/γ)² · E_{x∼p_γ}[(p_γ'(x)/p_γ(x) − 1)²], the Pearson
 * divergence between the parameter's marginal density among the top-γ' trials and among the
 * γ-region trials. The densities are 1-D Parzen estimators on a discretised domain (at most
 * `nSteps` cells; categorical: one cell per choice), each with a prior kernel, so a parameter
 * the top trials do not prefer scores near 0 and one they concentrate on scores high.
 * Importances are normalised to sum to 1 (the γ'/γ factor is common to all and cancels).
 */
import type { Distribution } from '../distributions.js';
import type { StudyDirection } from '../frozen-trial.js';
import type { ImportanceEvaluator, ImportanceInput, ParamImportance } from './evaluator.js';
import type { Observation } from './observations.js';

export interface PedAnovaOptions {
  /** γ': the share of trials that make the top set (default 0.1, Optuna's). */
  targetQuantile?: number;
  /** γ: the share of trials that make the region compared against (default 1: all). */
  regionQuantile?: number;
  /** Cells of the discretised domain of a continuous parameter (default 50). */
  nSteps?: number;
  /** Weight of the prior kernel relative to one observation (default 1). */
  priorWeight?: number;
  /** The top set has at least this many trials (default 2). */
  minTopTrials?: number;
}

export interface PedAnovaImportance extends ParamImportance {
  /** The Pearson divergence itself. */
  readonly divergence: number;
}

/** Cells of a parameter's discretised domain and the cell of an internal value. */
interface Domain {
  readonly cells: number;
  readonly categorical: boolean;
  cell(internal: number): number;
}

function domainOf(d: Distribution, nSteps: number): Domain {
  switch (d.type) {
    case 'categorical':
      return { cells: d.choices.length, categorical: true, cell: (x) => Math.round(x) };
    case 'ordinal':
      return { cells: d.values.length, categorical: false, cell: (x) => Math.round(x) };
    case 'int':
    case 'float': {
      const log = d.log;
      const lo = log ? Math.log(d.low) : d.low;
      const hi = log ? Math.log(d.high) : d.high;
      const step = d.step ?? null;
      const distinct = step !== null && !log ? Math.floor((d.high - d.low) / step + 1e-9) + 1 : Infinity;
      const cells = Math.max(1, Math.min(nSteps, distinct));
      if (hi <= lo || cells === 1) return { cells: 1, categorical: false, cell: () => 0 };
      return {
        cells,
        categorical: false,
        cell: (x) => {
          const t = ((log ? Math.log(x) : x) - lo) / (hi - lo);
          return Math.min(cells - 1, Math.max(0, Math.round(t * (cells - 1))));
        },
      };
    }
  }
}

/**
 * Density over the cells: for a numeric domain, Gaussian kernels on the cell index with
 * Scott-style bandwidth 0.2·n^(−1/5)·(cells−1) (Optuna's multivariate TPE rule for d = 1), at
 * least half a cell, plus a prior kernel at the centre with the whole range as bandwidth; for a
 * categorical domain, counts plus the prior weight spread evenly.
 */
function parzenPdf(cellsOf: readonly number[], domain: Domain, priorWeight: number): Float64Array {
  const k = domain.cells;
  const pdf = new Float64Array(k);
  if (domain.categorical) {
    for (const c of cellsOf) pdf[c] += 1;
    for (let j = 0; j < k; j++) pdf[j] += priorWeight / k;
  } else {
    const range = Math.max(1, k - 1);
    const sigma = Math.max(0.5, 0.2 * Math.max(1, cellsOf.length) ** -0.2 * range);
    const addKernel = (mu: number, s: number, w: number) => {
      let z = 0;
      const row = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        row[j] = Math.exp(-0.5 * ((j - mu) / s) ** 2);
        z += row[j];
      }
      // Truncated to the domain: each kernel carries weight w over the cells.
      for (let j = 0; j < k; j++) pdf[j] += (w * row[j]) / z;
    };
    for (const c of cellsOf) addKernel(c, sigma, 1);
    if (priorWeight > 0) addKernel((k - 1) / 2, range, priorWeight);
  }
  let total = 0;
  for (let j = 0; j < k; j++) total += pdf[j];
  for (let j = 0; j < k; j++) pdf[j] /= total;
  return pdf;
}

/** Σ_x p_region(x) · (p_top(x) / p_region(x) − 1)²: the Pearson χ² divergence. */
export function pearsonDivergence(pTop: ArrayLike<number>, pRegion: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < pTop.length; j++) {
    const local = pRegion[j] + 1e-12;
    const r = (pTop[j] + 1e-12) / local - 1;
    s += local * r * r;
  }
  return s;
}

/** The best `quantile` share of observations (at least `min`), best first. */
function topShare(obs: readonly Observation[], quantile: number, min: number, maximize: boolean): Observation[] {
  const sorted = [...obs].sort((a, b) => (maximize ? b.value - a.value : a.value - b.value));
  const n = Math.min(sorted.length, Math.max(min, Math.ceil(quantile * sorted.length)));
  return sorted.slice(0, n);
}

/**
 * Importances of `distributions`' parameters from observations (internal values). Parameters
 * set in only some trials (conditional ones) are judged on the trials that have them.
 */
export function pedAnovaImportances(
  observations: readonly Observation[],
  distributions: Readonly<Record<string, Distribution>>,
  direction: StudyDirection,
  options: PedAnovaOptions = {},
): PedAnovaImportance[] {
  const targetQ = options.targetQuantile ?? 0.1;
  const regionQ = options.regionQuantile ?? 1;
  const nSteps = options.nSteps ?? 50;
  const priorWeight = options.priorWeight ?? 1;
  const minTop = options.minTopTrials ?? 2;
  if (!(targetQ > 0 && targetQ < regionQ && regionQ <= 1)) {
    throw new RangeError(`0 < targetQuantile < regionQuantile <= 1 must hold, but got (targetQuantile=${targetQ}, regionQuantile=${regionQ})`);
  }
  const maximize = direction === 'maximize';
  const region = topShare(observations, regionQ, minTop, maximize);
  const top = topShare(region, targetQ / regionQ, minTop, maximize);
  const out: PedAnovaImportance[] = [];
  for (const [name, d] of Object.entries(distributions)) {
    const domain = domainOf(d, nSteps);
    const cellsIn = (set: readonly Observation[]) => set.filter((o) => name in o.params).map((o) => domain.cell(o.params[name]));
    const topCells = cellsIn(top);
    const regionCells = cellsIn(region);
    if (domain.cells <= 1 || topCells.length < minTop || regionCells.length <= topCells.length) {
      out.push({ name, importance: 0, divergence: 0 });
      continue;
    }
    const divergence = pearsonDivergence(parzenPdf(topCells, domain, priorWeight), parzenPdf(regionCells, domain, priorWeight));
    out.push({ name, importance: 0, divergence });
  }
  const total = out.reduce((s, p) => s + p.divergence, 0);
  return out
    .map((p) => ({ ...p, importance: total > 0 ? p.divergence / total : 0 }))
    .sort((a, b) => b.importance - a.importance || a.name.localeCompare(b.name));
}

/** PED-ANOVA behind the {@link ImportanceEvaluator} interface. */
export class PedAnovaEvaluator implements ImportanceEvaluator {
  readonly name = 'ped-anova';
  constructor(private readonly options: PedAnovaOptions = {}) {}

  evaluate(input: ImportanceInput): PedAnovaImportance[] {
    return pedAnovaImportances(input.observations, input.distributions, input.direction, this.options);
  }
}
