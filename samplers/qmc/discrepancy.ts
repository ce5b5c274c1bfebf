/**
 * Centered L2 discrepancy (Hickernell 1998, eq. 3.2c as in SciPy's `qmc.discrepancy(method='CD')`):
 * how far a point set in [0, 1]^d is from uniform. Lower is better; the O(n^2 d) double sum is
 * fine for the few thousand points that benchmarks and tests use.
 */
export function centeredL2Discrepancy(points: readonly ArrayLike<number>[]): number {
  const n = points.length;
  if (n === 0) return Number.NaN;
  const d = points[0].length;
  let single = 0;
  for (const x of points) {
    let prod = 1;
    for (let k = 0; k < d; k++) {
      const a = Math.abs(x[k] - 0.5);
      prod *= 1 + 0.5 * a - 0.5 * a * a;
    }
    single += prod;
  }
  let pair = 0;
  for (let i = 0; i < n; i++) {
    const x = points[i];
    for (let j = 0; j < n; j++) {
      const y = points[j];
      let prod = 1;
      for (let k = 0; k < d; k++) {
        prod *= 1 + 0.5 * Math.abs(x[k] - 0.5) + 0.5 * Math.abs(y[k] - 0.5) - 0.5 * Math.abs(x[k] - y[k]);
      }
      pair += prod;
    }
  }
  return (13 / 12) ** d - (2 / n) * single + pair / (n * n);
}
