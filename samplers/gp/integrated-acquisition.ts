/**
 * An acquisition averaged over several GPs of the same data with different hyper-parameters
 * (the MAP fit and posterior draws, hyperparameter-samples.ts): Snoek, Larochelle & Adams 2012,
 * Sec. 3.2, eq. (5), the "integrated acquisition function" â(x) = (1/K) Σ_k a(x; θ_k), a Monte
 * Carlo estimate of the acquisition marginalised over the hyper-parameters. On log EI (or any log
 * acquisition) that is log((1/K) Σ_k exp(log a_k)), computed as a log-sum-exp; its gradient is
 * the average of the members' gradients weighted by their softmax.
 */
import type { Acquisition } from './acquisition.js';

export class IntegratedAcquisition implements Acquisition {
  private readonly grad: Float64Array;

  /** `members`: the acquisition under each hyper-parameter draw; the first's length scales scale the search. */
  constructor(private readonly members: readonly Acquisition[]) {
    if (members.length === 0) throw new Error('IntegratedAcquisition: no members');
    this.grad = new Float64Array(members[0].invSquaredLengthscales.length);
  }

  get invSquaredLengthscales(): Float64Array {
    return this.members[0].invSquaredLengthscales;
  }

  value(x: ArrayLike<number>): number {
    return logMeanExp(this.members.map((a) => a.value(x)));
  }

  values(points: Float64Array, m: number, out: Float64Array): void {
    const each = this.members.map((a) => {
      const v = new Float64Array(m);
      a.values(points, m, v);
      return v;
    });
    for (let i = 0; i < m; i++) out[i] = logMeanExp(each.map((v) => v[i]));
  }

  valueAndGradient(x: ArrayLike<number>, grad: Float64Array): number {
    const values: number[] = [];
    const grads: Float64Array[] = [];
    for (const a of this.members) {
      values.push(a.valueAndGradient(x, this.grad));
      grads.push(Float64Array.from(this.grad));
    }
    return combine(values, grads, grad);
  }

  valuesAndGradients(points: Float64Array, m: number, out: Float64Array, grads: Float64Array): void {
    const d = grads.length / Math.max(m, 1);
    const each = this.members.map((a) => {
      const v = new Float64Array(m);
      const g = new Float64Array(m * d);
      a.valuesAndGradients(points, m, v, g);
      return { v, g };
    });
    for (let i = 0; i < m; i++) {
      out[i] = combine(
        each.map((e) => e.v[i]),
        each.map((e) => e.g.subarray(i * d, (i + 1) * d)),
        grads.subarray(i * d, (i + 1) * d),
      );
    }
  }
}

/** log((1/K) Σ exp(vₖ)), stable for very negative values. */
function logMeanExp(values: readonly number[]): number {
  const top = Math.max(...values);
  if (top === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - top);
  return top + Math.log(sum / values.length);
}

/** logMeanExp of `values`, and into `grad` its gradient: Σ softmax(values)ₖ gradsₖ. */
function combine(values: readonly number[], grads: readonly Float64Array[], grad: Float64Array): number {
  const value = logMeanExp(values);
  grad.fill(0);
  if (value === -Infinity) return value;
  const top = Math.max(...values);
  let total = 0;
  const weights = values.map((v) => {
    const w = Math.exp(v - top);
    total += w;
    return w;
  });
  for (let k = 0; k < values.length; k++) {
    const w = weights[k] / total;
    if (w === 0) continue;
    for (let j = 0; j < grad.length; j++) grad[j] += w * grads[k][j];
  }
  return value;
}
