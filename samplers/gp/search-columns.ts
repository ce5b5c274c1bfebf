/**
 * How each column of the GP's unit box may vary in the acquisition search, as Optuna's
 * `_gp/search_space.py`: a plain float is continuous (searched by gradient); every other
 * parameter (int, stepped or log int, stepped float, ordinal, categorical) is discrete, with an
 * ascending list of valid positions in the box, the positions of its grid values. The GP only
 * ever sees and the search only ever proposes valid positions, so no proposal is lost to rounding.
 */
import { type Distribution, toInternal } from '../../src/distributions.js';
import { decodeNumeric, rawBounds } from '../../src/transform.js';

export interface ColumnKind {
  /** Categorical (Hamming kernel): no order, so its choices are always tried one by one. */
  readonly categorical: boolean;
  /** Number of valid positions; 0 for a continuous column. */
  readonly count: number;
  /** The i-th valid position (ascending in i), 0 <= i < count. */
  position(i: number): number;
  /** Index of the valid position a coordinate decodes to. */
  nearest(v: number): number;
  /** Rounds a coordinate to its valid position (clips a continuous one to [0, 1]). */
  snap(v: number): number;
}

const clip01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** The column of one parameter, in the normalised box of SearchSpaceTransform ('index' categoricals). */
export function columnKind(d: Distribution): ColumnKind {
  if (d.type === 'float' && d.step === null) {
    return { categorical: false, count: 0, position: () => Number.NaN, nearest: () => -1, snap: clip01 };
  }
  const [low, high] = rawBounds(d);
  const width = high - low;
  const logScale = (d.type === 'float' || d.type === 'int') && d.log;
  // The i-th value in internal terms: the grid value for numbers, the index for choices.
  const valueAt = (i: number): number => (d.type === 'float' || d.type === 'int' ? d.low + i * d.step! : i);
  const count = d.type === 'categorical' ? d.choices.length : d.type === 'ordinal' ? d.values.length : Math.round((d.high - d.low) / d.step!) + 1;
  // Computed on demand: a grid may hold millions of values, the search visits a few dozen.
  const position = (i: number): number => {
    const internal = d.type === 'float' && i === count - 1 ? d.high : valueAt(i);
    return width > 0 ? ((logScale ? Math.log(internal) : internal) - low) / width : 0.5;
  };
  const nearest = (v: number): number => {
    const decoded = decodeNumeric(d, low + clip01(v) * width);
    const internal = toInternal(d, decoded);
    if (d.type === 'categorical' || d.type === 'ordinal') return internal;
    return Math.min(count - 1, Math.max(0, Math.round((internal - d.low) / d.step!)));
  };
  return {
    categorical: d.type === 'categorical',
    count,
    position,
    nearest,
    snap: (v) => position(nearest(v)),
  };
}
