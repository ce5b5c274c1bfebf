/**
 * A test function's reference: its known optimum, and a seeded uniform sample of its space
 * standing in for the grid a continuous space does not have (percentiles and the top-1 %
 * threshold are taken among the sampled points).
 */
import type { Distribution, ParamValue } from '../../distributions.js';
import { Rng } from '../../rng.js';
import { getTestFunction } from '../../../studies/functions/index.js';
import { Reference } from './reference.js';

export const FUNCTION_REFERENCE_SIZE = 20_000;
export const FUNCTION_REFERENCE_SEED = 20_240_601;

function uniform(d: Distribution, rng: Rng): ParamValue {
  switch (d.type) {
    case 'float': {
      if (d.step !== null) {
        const k = Math.floor(rng.random() * (Math.floor((d.high - d.low) / d.step + 1e-9) + 1));
        return d.low + k * d.step;
      }
      return d.log ? Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))) : rng.uniform(d.low, d.high);
    }
    case 'int': {
      if (d.log) return Math.min(d.high, Math.max(d.low, Math.round(Math.exp(rng.uniform(Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low), Math.log(d.high + 0.5))))));
      const n = Math.floor((d.high - d.low) / d.step) + 1;
      return d.low + Math.floor(rng.random() * n) * d.step;
    }
    case 'categorical':
      return d.choices[Math.floor(rng.random() * d.choices.length)];
    case 'ordinal':
      return d.values[Math.floor(rng.random() * d.values.length)];
  }
}

export function functionReference(name: string, size = FUNCTION_REFERENCE_SIZE, seed = FUNCTION_REFERENCE_SEED): Reference {
  const fn = getTestFunction(name);
  const rng = new Rng(seed);
  const values = new Float64Array(size);
  const entries = Object.entries(fn.space);
  for (let i = 0; i < size; i++) {
    const params: Record<string, ParamValue> = {};
    for (const [k, d] of entries) params[k] = uniform(d, rng);
    values[i] = fn.evaluate(params);
  }
  return new Reference('uniform-sample', 'minimize', values, 0, fn.optimum);
}
