/**
 * Uniform draws from a distribution: the random sampler's whole method, the fallback of the
 * model-based samplers before they have data, and how a pool worker samples a parameter that the
 * main thread could not pre-sample (src/executor/worker-trial.ts). It lives in the core because
 * the executor needs it and the core never imports `samplers/`.
 */
import { type Distribution, type ParamValue, steppedFloat } from './distributions.js';
import type { Rng } from './rng.js';

/** Draws one external value uniformly from `d` (log-uniformly for log distributions). */
export function sampleUniform(rng: Rng, d: Distribution): ParamValue {
  switch (d.type) {
    case 'float': {
      if (d.log) return clamp(Math.exp(rng.uniform(Math.log(d.low), Math.log(d.high))), d.low, d.high);
      if (d.step !== null) {
        const n = Math.round((d.high - d.low) / d.step);
        const k = rng.int(0, n);
        return k === n ? d.high : steppedFloat(d.low, d.step, k);
      }
      return rng.uniform(d.low, d.high);
    }
    case 'int': {
      if (d.log) {
        // Uniform in log space over [low - 0.5, high + 0.5], then round (as Optuna's transform does).
        const v = Math.exp(rng.uniform(Math.log(d.low - 0.5 > 0 ? d.low - 0.5 : d.low * 0.5), Math.log(d.high + 0.5)));
        return clamp(Math.round(v), d.low, d.high);
      }
      const n = Math.round((d.high - d.low) / d.step);
      return d.low + rng.int(0, n) * d.step;
    }
    case 'categorical':
      return d.choices[rng.int(0, d.choices.length - 1)];
    case 'ordinal':
      return d.values[rng.int(0, d.values.length - 1)];
  }
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}
