/**
 * Draws of the kernel hyper-parameters from their posterior, for an acquisition integrated over
 * them instead of evaluated at the single MAP fit (Snoek, Larochelle & Adams 2012, "Practical
 * Bayesian Optimization of Machine Learning Algorithms", Sec. 3.2: "integrated acquisition
 * function", with the hyper-parameters drawn by slice sampling).
 *
 * The posterior is the one the MAP fit maximises, exp(-mapLoss(raw)) over the raw coordinates
 * (log θ, log s, log(σ²ₙ - σ²_min)), so the MAP is its mode. The chain starts at the MAP and moves
 * one coordinate at a time by univariate slice sampling with stepping out and shrinkage (Neal
 * 2003, "Slice sampling", Ann. Statist. 31(3), Figs. 3 and 5); one sweep over all coordinates per
 * draw. Parameters where the kernel matrix does not factorise have density 0.
 */
import type { Rng } from '../../src/rng.js';
import { type KernelParams, encodeKernelParams, mapLoss } from './gp.js';

export interface HyperparameterSampling {
  /** Number of draws after the MAP. */
  readonly draws: number;
  /** Initial slice width in the raw (log) coordinates (Neal's w). */
  readonly width?: number;
  /** Stepping-out limit per side, in widths (Neal's m). */
  readonly maxSteps?: number;
}

/**
 * `options.draws` draws of the hyper-parameters of a GP on (x, y) from their posterior, by a slice
 * sampling chain started at `map` (the MAP fit on the same data).
 */
export function sampleKernelParams(
  x: Float64Array,
  y: Float64Array,
  d: number,
  isCat: Uint8Array,
  deterministic: boolean,
  map: KernelParams,
  rng: Rng,
  options: HyperparameterSampling,
): KernelParams[] {
  const { loss, decode } = mapLoss(x, y, d, isCat, deterministic);
  const logDensity = (raw: Float64Array): number => {
    try {
      const value = -loss(raw, null);
      return Number.isFinite(value) ? value : -Infinity;
    } catch {
      return -Infinity; // the kernel matrix did not factorise
    }
  };
  const width = options.width ?? 1;
  const maxSteps = options.maxSteps ?? 4;
  // With a deterministic objective the noise is fixed at its floor: not a coordinate of the chain.
  const coordinates = deterministic ? d + 1 : d + 2;
  const raw = encodeKernelParams(map);
  let current = logDensity(raw);
  if (current === -Infinity) return [];
  const out: KernelParams[] = [];
  for (let draw = 0; draw < options.draws; draw++) {
    for (let k = 0; k < coordinates; k++) current = sliceStep(raw, k, current, logDensity, rng, width, maxSteps);
    out.push(decode(raw));
  }
  return out;
}

/**
 * One univariate slice-sampling update of coordinate k of `raw` (in place): a level under the
 * current density, an interval of width `width` placed at random around the point and stepped out
 * until both ends are below the level (at most `maxSteps` widths per side), then points drawn
 * uniformly from it, shrinking it towards the current point on each rejection (Neal 2003, Figs. 3
 * and 5). Returns the log density at the new point.
 */
function sliceStep(
  raw: Float64Array,
  k: number,
  current: number,
  logDensity: (raw: Float64Array) => number,
  rng: Rng,
  width: number,
  maxSteps: number,
): number {
  const x0 = raw[k];
  const at = (v: number): number => {
    raw[k] = v;
    return logDensity(raw);
  };
  // log of a uniform draw under exp(current): current + log U, U in (0, 1].
  const level = current + Math.log(1 - rng.random());
  let left = x0 - width * rng.random();
  let right = left + width;
  let leftSteps = Math.floor(maxSteps * rng.random());
  let rightSteps = maxSteps - 1 - leftSteps;
  while (leftSteps-- > 0 && at(left) > level) left -= width;
  while (rightSteps-- > 0 && at(right) > level) right += width;
  for (;;) {
    const candidate = left + (right - left) * rng.random();
    const value = at(candidate);
    if (value > level) return value;
    if (candidate < x0) left = candidate;
    else right = candidate;
    if (right - left < 1e-9) {
      raw[k] = x0;
      return current;
    }
  }
}
