/**
 * fANOVA behind the {@link ImportanceEvaluator} interface: a study's observations become a
 * regression problem on the search space (random-forest.ts), and each tree's variance is split
 * over the parameters (tree-variance.ts, on the thread that grew the tree; averaged by
 * fanova.ts). Optuna's `FanovaImportanceEvaluator` with its defaults (64 trees, depth 64,
 * min_samples_split 2, min_samples_leaf 1), and these choices of ours:
 *
 * - a log-scaled parameter lives on its log scale (Optuna fits fANOVA on the raw scale, where a
 *   parameter from 1e-5 to 1 spends nearly all its volume above 0.1);
 * - a categorical parameter splits into sets of categories, each category one equal share of its
 *   axis (Optuna one-hot encodes it and marginalises over every 0/1 corner, choices that no trial
 *   can take included);
 * - an int, a stepped float and an ordinal list give each of their values an equal share of the
 *   axis (the interval runs half a step beyond the ends; an ordinal list is ordered by index);
 * - the seed defaults to 0, so the same trials give the same importances.
 *
 * As in Optuna, only parameters set in every observation are judged (a conditional one, set in
 * some trials only, is left out of the result), one that can take a single value scores 0, and
 * the fractions are normalised to sum to 1 (equal shares when they are all 0).
 */
import { type Distribution, isSingle } from '../distributions.js';
import type { ImportanceEvaluator, ImportanceInput, ParamImportance } from './evaluator.js';
import { type FeatureDomain, varianceFractions } from './fanova.js';
import { type FeatureKind, fitForestVariances } from './random-forest.js';
import type { Observation } from './observations.js';
import { Rng } from '../rng.js';

export interface FanovaOptions {
  /** Trees in the forest (default 64). */
  nTrees?: number;
  /** Depth limit of each tree (default 64). */
  maxDepth?: number;
  /** Distinct samples a node needs to split (default 2). */
  minSamplesSplit?: number;
  /** Distinct samples each leaf keeps (default 1). */
  minSamplesLeaf?: number;
  /** Seeds the forest and the subsample (default 0). */
  seed?: number;
  /**
   * Fit on at most this many observations, drawn at random without replacement (default: all).
   * A forest of 64 full-depth trees costs about n·log n per tree: 10,000 trials take well under a
   * second, but a 1.5-million-trial grid study would take minutes, and a random subsample of
   * tens of thousands estimates the same variance shares.
   */
  maxObservations?: number;
  /** Bins per feature in the forest's split search (default 256; random-forest.ts). */
  maxBins?: number;
  /** Threads that grow the trees (default: all cores once the work is large; random-forest.ts). */
  threads?: number;
}

export interface FanovaImportance extends ParamImportance {
  /** The parameter's main-effect share of each tree's variance, averaged over the trees, before normalising. */
  readonly fraction: number;
  /** That share's standard deviation over the trees. */
  readonly std: number;
}

/** A parameter's axis for fANOVA: how its internal value maps to a coordinate, and the axis' extent. */
interface Axis {
  readonly kind: FeatureKind;
  readonly domain: FeatureDomain;
  coordinate(internal: number): number;
}

function axisOf(d: Distribution): Axis {
  switch (d.type) {
    case 'categorical':
      return { kind: { kind: 'categorical', categories: d.choices.length }, domain: { kind: 'categorical', categories: d.choices.length }, coordinate: (x) => x };
    case 'ordinal':
      return { kind: { kind: 'numeric' }, domain: { kind: 'numeric', low: -0.5, high: d.values.length - 0.5 }, coordinate: (x) => x };
    case 'int':
    case 'float': {
      const half = d.step !== null ? d.step / 2 : 0;
      if (d.log) {
        // A log int keeps its half-unit margins before the log, as Optuna's TPE does for its bounds.
        const low = Math.log(d.type === 'int' ? d.low - 0.5 : d.low);
        const high = Math.log(d.high + (d.type === 'int' ? 0.5 : 0));
        return { kind: { kind: 'numeric' }, domain: { kind: 'numeric', low, high }, coordinate: Math.log };
      }
      return { kind: { kind: 'numeric' }, domain: { kind: 'numeric', low: d.low - half, high: d.high + half }, coordinate: (x) => x };
    }
  }
}

export class FanovaEvaluator implements ImportanceEvaluator {
  readonly name = 'fanova';
  constructor(private readonly options: FanovaOptions = {}) {}

  evaluate(input: ImportanceInput): FanovaImportance[] {
    const { distributions } = input;
    const observations = subsample(input.observations, this.options.maxObservations, this.options.seed ?? 0);
    const judged = Object.keys(distributions).filter((name) => observations.every((o) => name in o.params));
    const varying = judged.filter((name) => !isSingle(distributions[name]));
    const fractions = new Map<string, { fraction: number; std: number }>(judged.map((name) => [name, { fraction: 0, std: 0 }]));
    if (varying.length > 0 && observations.length > 1) {
      const axes = varying.map((name) => axisOf(distributions[name]));
      const columns = varying.map((name, f) => Float64Array.from(observations, (o) => axes[f].coordinate(o.params[name])));
      const y = Float64Array.from(observations, (o) => o.value);
      // Each tree is measured on the thread that grew it: the same numbers as fanovaFractions over fitRandomForest's trees.
      const variances = fitForestVariances(
        { columns, features: axes.map((a) => a.kind), y },
        axes.map((a) => a.domain),
        this.options,
      );
      const result = varianceFractions(variances, varying.length);
      varying.forEach((name, f) => fractions.set(name, { fraction: result.fractions[f], std: result.std[f] }));
    }
    const total = [...fractions.values()].reduce((s, v) => s + v.fraction, 0);
    return [...fractions.entries()]
      .map(([name, { fraction, std }]) => ({ name, importance: total > 0 ? fraction / total : 1 / fractions.size, fraction, std }))
      .sort((a, b) => b.importance - a.importance || a.name.localeCompare(b.name));
  }
}

/** At most `max` of the observations, chosen by a seeded partial Fisher-Yates shuffle, in their original order. */
function subsample(observations: readonly Observation[], max: number | undefined, seed: number): readonly Observation[] {
  if (max === undefined || observations.length <= max) return observations;
  if (!(Number.isInteger(max) && max >= 2)) throw new RangeError(`maxObservations must be an integer >= 2, but got ${max}`);
  const rng = new Rng(seed);
  const index = Int32Array.from(observations, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = rng.int(i, index.length - 1);
    const t = index[i];
    index[i] = index[j];
    index[j] = t;
  }
  return Array.from(index.subarray(0, max).sort(), (i) => observations[i]);
}
