/**
 * Limited-memory BFGS (Nocedal & Wright 2006, Algorithm 7.4 and 7.5) for the GP: unconstrained
 * for the kernel hyper-parameters, and with box bounds, by projection, for the acquisition
 * search in the unit box. Minimises; the objective writes its gradient into `grad`.
 */

export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations?: number;
  /** Stop when the largest (projected) gradient component is below this. */
  gtol?: number;
  /** Stop when f improves by less than ftol × max(|f|, 1) in an iteration. */
  ftol?: number;
  /** Pairs of correction vectors kept (default 10). */
  memory?: number;
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
}

/** What lbfgsSteps yields: a point whose value and gradient it needs next. */
export type Evaluation = { readonly f: number; readonly grad: Float64Array };

/**
 * Minimises by L-BFGS, from x0, as a generator: it yields each point it needs evaluated and takes
 * back its value and gradient (f NaN where the objective failed), and returns the result. Callers
 * can so run several minimisations side by side and evaluate their points together
 * (acquisition.ts batches the GP's posteriors); minimizeLbfgs runs one with a plain function.
 */
export function* lbfgsSteps(x0: ArrayLike<number>, options: LbfgsOptions = {}): Generator<Float64Array, LbfgsResult, Evaluation> {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 100;
  const gtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 1e-12;
  const m = options.memory ?? 10;
  const lower = options.lower;
  const upper = options.upper;
  const project = (v: Float64Array): Float64Array => {
    if (lower && upper) for (let i = 0; i < n; i++) v[i] = v[i] < lower[i] ? lower[i] : v[i] > upper[i] ? upper[i] : v[i];
    return v;
  };
  let x = project(Float64Array.from(x0));
  const first = yield x;
  let g = Float64Array.from(first.grad);
  let f = first.f;
  if (!Number.isFinite(f)) throw new Error('L-BFGS: the objective is not finite at the start');
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iter = 0;
  for (; iter < maxIterations; iter++) {
    // Projected gradient: components that push against an active bound do not count.
    let pg = 0;
    for (let i = 0; i < n; i++) {
      let gi = g[i];
      if (lower && upper && ((x[i] <= lower[i] && gi > 0) || (x[i] >= upper[i] && gi < 0))) gi = 0;
      pg = Math.max(pg, Math.abs(gi));
    }
    if (pg < gtol) break;
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = sList.length;
    for (let j = k - 1; j >= 0; j--) {
      let a = 0;
      for (let i = 0; i < n; i++) a += sList[j][i] * d[i];
      a *= rho[j];
      alpha[j] = a;
      for (let i = 0; i < n; i++) d[i] -= a * yList[j][i];
    }
    if (k > 0) {
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += sList[k - 1][i] * yList[k - 1][i];
        yy += yList[k - 1][i] * yList[k - 1][i];
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      let b = 0;
      for (let i = 0; i < n; i++) b += yList[j][i] * d[i];
      b *= rho[j];
      for (let i = 0; i < n; i++) d[i] += sList[j][i] * (alpha[j] - b);
    }
    // Do not push into active bounds; fall back to steepest descent if not a descent direction.
    if (lower && upper) for (let i = 0; i < n; i++) if ((x[i] <= lower[i] && d[i] < 0) || (x[i] >= upper[i] && d[i] > 0)) d[i] = 0;
    let slope = 0;
    for (let i = 0; i < n; i++) slope += d[i] * g[i];
    if (!(slope < 0)) {
      sList.length = 0;
      yList.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      if (lower && upper) for (let i = 0; i < n; i++) if ((x[i] <= lower[i] && d[i] < 0) || (x[i] >= upper[i] && d[i] > 0)) d[i] = 0;
      slope = 0;
      for (let i = 0; i < n; i++) slope += d[i] * g[i];
      if (!(slope < 0)) break;
    }
    // Backtracking line search with the Armijo condition, on the projected path.
    let t = k === 0 ? Math.min(1, 1 / Math.max(1e-12, Math.sqrt(d.reduce((a, v) => a + v * v, 0)))) : 1;
    let accepted = false;
    const xNew = new Float64Array(n);
    let gNew = new Float64Array(n);
    let fNew = f;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + t * d[i];
      project(xNew);
      let dec = 0;
      for (let i = 0; i < n; i++) dec += g[i] * (xNew[i] - x[i]);
      const result = yield xNew;
      fNew = result.f;
      gNew = Float64Array.from(result.grad);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * dec) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
    }
    if (sy > 1e-12) {
      if (sList.length === m) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
    }
    const improvement = f - fNew;
    x = xNew;
    g = gNew;
    f = fNew;
    if (improvement < ftol * Math.max(Math.abs(f), 1)) break;
  }
  return { x, f, iterations: iter };
}

/** L-BFGS on a function that writes its gradient into `grad` (lbfgsSteps, driven one point at a time). */
export function minimizeLbfgs(objective: Objective, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const steps = lbfgsSteps(x0, options);
  let request = steps.next();
  let started = false;
  while (!request.done) {
    const grad = new Float64Array(x0.length);
    let f: number;
    if (!started) f = objective(request.value, grad);
    else {
      try {
        f = objective(request.value, grad);
      } catch {
        f = Number.NaN;
      }
    }
    started = true;
    request = steps.next({ f, grad });
  }
  return request.value;
}
