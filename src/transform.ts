/**
 * The one transform that numeric samplers (CMA-ES, GP, DE, QMC) use to map parameters to a box
 * of real coordinates and back, so that they need not branch on distribution types.
 *
 * Per parameter:
 * - float: itself, or its logarithm for log distributions; a step widens the box by half a step
 *   each side so that every grid value owns an equal-width cell, and decoding rounds to the step.
 * - int: like a stepped float (log ints use [ln(low - 0.5), ln(high + 0.5)], as Optuna).
 * - ordinal: the index, in [-0.5, n - 0.5], rounded on decode: ordered, unlike a categorical.
 * - categorical: one-hot columns in [0, 1], decoded by argmax ('onehot'); or the index, as an
 *   ordinal ('index'); or left out for an independent sampler to handle ('exclude').
 * With `normalize`, every column is then scaled to [0, 1].
 */
import { type Distribution, type ParamValue, type SearchSpace, steppedFloat, toInternal } from './distributions.js';

export type CategoricalEncoding = 'onehot' | 'index' | 'exclude';

export interface TransformOptions {
  /** Scale every column to [0, 1]. Default true. */
  normalize?: boolean;
  categorical?: CategoricalEncoding;
}

interface Column {
  name: string;
  distribution: Distribution;
  /** For one-hot: which choice this column stands for; otherwise -1. */
  choice: number;
  low: number;
  high: number;
}

export class SearchSpaceTransform {
  /** Parameter names that are encoded (categoricals are missing with 'exclude'). */
  readonly names: readonly string[];
  readonly space: SearchSpace;
  /** Number of encoded columns. */
  readonly dim: number;
  /** Lower and upper bound of each column (0 and 1 when normalised). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** For each column, the index of its parameter in `names`. */
  readonly columnParam: Int32Array;
  private readonly columns: Column[];
  private readonly normalize: boolean;

  constructor(space: SearchSpace, options: TransformOptions = {}) {
    this.normalize = options.normalize ?? true;
    const encoding = options.categorical ?? 'onehot';
    const names: string[] = [];
    const columns: Column[] = [];
    const kept: SearchSpace = {};
    for (const [name, d] of Object.entries(space)) {
      if (d.type === 'categorical' && encoding === 'exclude') continue;
      names.push(name);
      kept[name] = d;
      if (d.type === 'categorical' && encoding === 'onehot') {
        for (let c = 0; c < d.choices.length; c++) columns.push({ name, distribution: d, choice: c, low: 0, high: 1 });
      } else {
        const [low, high] = rawBounds(d);
        columns.push({ name, distribution: d, choice: -1, low, high });
      }
    }
    this.names = names;
    this.space = kept;
    this.columns = columns;
    this.dim = columns.length;
    this.lower = new Float64Array(this.dim);
    this.upper = new Float64Array(this.dim);
    this.columnParam = new Int32Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      this.lower[i] = this.normalize ? 0 : columns[i].low;
      this.upper[i] = this.normalize ? 1 : columns[i].high;
      this.columnParam[i] = names.indexOf(columns[i].name);
    }
  }

  /** External parameter values to box coordinates. */
  encode(params: Readonly<Record<string, ParamValue>>): Float64Array {
    const x = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const col = this.columns[i];
      const d = col.distribution;
      const internal = toInternal(d, params[col.name], col.name);
      let v: number;
      if (col.choice >= 0) v = internal === col.choice ? 1 : 0;
      else if ((d.type === 'float' || d.type === 'int') && d.log) v = Math.log(internal);
      else v = internal;
      x[i] = this.normalize && col.high > col.low ? (v - col.low) / (col.high - col.low) : this.normalize ? 0.5 : v;
    }
    return x;
  }

  /** Box coordinates to external parameter values (rounded to steps, clipped to the ranges). */
  decode(x: ArrayLike<number>): Record<string, ParamValue> {
    const out: Record<string, ParamValue> = {};
    let i = 0;
    while (i < this.dim) {
      const col = this.columns[i];
      const d = col.distribution;
      if (col.choice >= 0 && d.type === 'categorical') {
        let best = 0;
        for (let c = 1; c < d.choices.length; c++) if (x[i + c] > x[i + best]) best = c;
        out[col.name] = d.choices[best];
        i += d.choices.length;
        continue;
      }
      const raw = this.normalize ? col.low + x[i] * (col.high - col.low) : x[i];
      out[col.name] = decodeNumeric(d, raw);
      i++;
    }
    return out;
  }
}

/** The continuous interval a parameter is searched in (before normalisation). */
export function rawBounds(d: Distribution): [number, number] {
  switch (d.type) {
    case 'float':
      if (d.log) return [Math.log(d.low), Math.log(d.high)];
      if (d.step !== null) return [d.low - d.step / 2, d.high + d.step / 2];
      return [d.low, d.high];
    case 'int':
      if (d.log) return [Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low * 0.5), Math.log(d.high + 0.5)];
      return [d.low - d.step / 2, d.high + d.step / 2];
    case 'categorical':
      return [-0.5, d.choices.length - 0.5];
    case 'ordinal':
      return [-0.5, d.values.length - 0.5];
  }
}

/** A raw coordinate (as in rawBounds) to the nearest valid external value. */
export function decodeNumeric(d: Distribution, raw: number): ParamValue {
  switch (d.type) {
    case 'float': {
      const v = d.log ? Math.exp(raw) : raw;
      if (d.step === null) return Math.min(d.high, Math.max(d.low, v));
      const n = Math.round((d.high - d.low) / d.step);
      const k = Math.min(n, Math.max(0, Math.round((v - d.low) / d.step)));
      return k === n ? d.high : steppedFloat(d.low, d.step, k);
    }
    case 'int': {
      const v = d.log ? Math.exp(raw) : raw;
      const k = Math.round((v - d.low) / d.step);
      return Math.min(d.high, Math.max(d.low, d.low + k * d.step));
    }
    case 'categorical':
      return d.choices[Math.min(d.choices.length - 1, Math.max(0, Math.round(raw)))];
    case 'ordinal':
      return d.values[Math.min(d.values.length - 1, Math.max(0, Math.round(raw)))];
  }
}
