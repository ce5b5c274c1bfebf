/**
 * Feature binning for histogram-based tree growth (as LightGBM, Ke et al. 2017, "LightGBM: A
 * Highly Efficient Gradient Boosting Decision Tree", §2.1, and scikit-learn's
 * `HistGradientBoostingRegressor` do): each feature is mapped once, before any tree is grown, to
 * small integer bin indices, so a node's split search accumulates per-bin sums in one pass over
 * its samples instead of visiting them in sorted order feature by feature.
 *
 * A numeric feature with at most `maxBins` distinct values gets one bin per value (exact: every
 * split a sort-based CART could make stays possible). One with more is cut at sample quantiles:
 * each bin holds about n / maxBins samples and equal values always share a bin. Each bin keeps the
 * smallest and largest value it holds, so a split between two bins can put its threshold halfway
 * between them. A categorical feature's bins are its categories.
 */

/** A numeric feature (ordered; splits `x <= threshold`), or a categorical one with values 0..k−1. */
export type FeatureKind = { readonly kind: 'numeric' } | { readonly kind: 'categorical'; readonly categories: number };

/** Two values closer than this are one value to a split (scikit-learn's FEATURE_THRESHOLD). */
export const FEATURE_THRESHOLD = 1e-7;

/** Every feature's bins: the samples' bin indices row by row, and each bin's value range. */
export interface BinnedFeatures {
  readonly nFeatures: number;
  /** Sample i's bin of feature f at `rows[i * nFeatures + f]`. */
  readonly rows: Uint8Array | Uint16Array;
  /** Bins of each feature. */
  readonly binCount: Int32Array;
  /** Where feature f's bins start in the flat per-bin arrays (`binLow`, `binHigh`, histograms). */
  readonly binOffset: Int32Array;
  /** The smallest value in each bin (numeric features; NaN for a categorical one). */
  readonly binLow: Float64Array;
  /** The largest value in each bin (numeric features; NaN for a categorical one). */
  readonly binHigh: Float64Array;
}

/** The largest number of bins a feature may have (bin indices are stored in 16 bits at most). */
export const MAX_BINS_LIMIT = 65536;

/** Bins every column of `columns` (one per feature, all of one length) into at most `maxBins` bins per numeric feature. */
export function binFeatures(columns: readonly Float64Array[], features: readonly FeatureKind[], maxBins: number): BinnedFeatures {
  const nFeatures = features.length;
  const n = columns[0].length;
  const perFeature = columns.map((col, f) => {
    const kind = features[f];
    return kind.kind === 'categorical' ? binCategorical(col, kind.categories, f) : binNumeric(col, maxBins, f);
  });
  const binCount = Int32Array.from(perFeature, (b) => b.low.length);
  const binOffset = new Int32Array(nFeatures);
  let total = 0;
  for (let f = 0; f < nFeatures; f++) {
    binOffset[f] = total;
    total += binCount[f];
  }
  const binLow = new Float64Array(total);
  const binHigh = new Float64Array(total);
  perFeature.forEach((b, f) => {
    binLow.set(b.low, binOffset[f]);
    binHigh.set(b.high, binOffset[f]);
  });
  const wide = perFeature.some((b) => b.low.length > 256);
  const rows = wide ? new Uint16Array(n * nFeatures) : new Uint8Array(n * nFeatures);
  perFeature.forEach((b, f) => {
    for (let i = 0; i < n; i++) rows[i * nFeatures + f] = b.index[i];
  });
  return { nFeatures, rows, binCount, binOffset, binLow, binHigh };
}

interface FeatureBins {
  readonly index: Uint16Array;
  readonly low: Float64Array;
  readonly high: Float64Array;
}

function binCategorical(col: Float64Array, categories: number, f: number): FeatureBins {
  if (!(Number.isInteger(categories) && categories >= 1 && categories <= MAX_BINS_LIMIT)) {
    throw new RangeError(`feature ${f} is categorical with ${categories} categories; it needs 1 to ${MAX_BINS_LIMIT}`);
  }
  const index = new Uint16Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const c = col[i];
    if (!(Number.isInteger(c) && c >= 0 && c < categories)) throw new RangeError(`feature ${f} is categorical with ${categories} categories, but sample ${i} has ${c}`);
    index[i] = c;
  }
  return { index, low: new Float64Array(categories).fill(Number.NaN), high: new Float64Array(categories).fill(Number.NaN) };
}

function binNumeric(col: Float64Array, maxBins: number, f: number): FeatureBins {
  const n = col.length;
  const sorted = Float64Array.from(col).sort();
  if (Number.isNaN(sorted[n - 1])) throw new RangeError(`feature ${f} has a NaN value; a random forest needs numbers`);
  // Groups of equal values (neighbours closer than FEATURE_THRESHOLD chain into one group): the
  // first sorted position of each, and its smallest and largest value.
  const groupStart: number[] = [0];
  for (let k = 1; k < n; k++) if (sorted[k] > sorted[k - 1] + FEATURE_THRESHOLD) groupStart.push(k);
  const groups = groupStart.length;
  // Exact: one bin per group. Quantiles: a group goes to the bin its first sample's rank falls in,
  // floor(rank · maxBins / n); bins no group starts in are dropped, so a value shared by many
  // samples takes one bin and its neighbours keep theirs.
  const binOfGroup = new Int32Array(groups);
  let bins = 0;
  let lastTarget = -1;
  for (let g = 0; g < groups; g++) {
    const target = groups <= maxBins ? g : Math.floor((groupStart[g] * maxBins) / n);
    if (target !== lastTarget) bins++;
    lastTarget = target;
    binOfGroup[g] = bins - 1;
  }
  // Groups are in ascending order: a bin's smallest value is its first group's first, its largest
  // its last group's last.
  const low = new Float64Array(bins);
  const high = new Float64Array(bins);
  for (let g = groups - 1; g >= 0; g--) low[binOfGroup[g]] = sorted[groupStart[g]];
  for (let g = 0; g < groups; g++) high[binOfGroup[g]] = sorted[(g + 1 < groups ? groupStart[g + 1] : n) - 1];
  // A value's bin is the first whose largest value is not below it (bins do not overlap, and a
  // gap wider than FEATURE_THRESHOLD separates neighbours).
  const index = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const x = col[i];
    let l = 0;
    let r = bins - 1;
    while (l < r) {
      const m = (l + r) >>> 1;
      if (high[m] < x) l = m + 1;
      else r = m;
    }
    index[i] = l;
  }
  return { index, low, high };
}
