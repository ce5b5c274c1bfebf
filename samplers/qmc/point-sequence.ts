/**
 * What the low-discrepancy sequences share: random access by index (`point`), which each defines,
 * and a running position built on it (`next`, `sample`).
 */
export abstract class PointSequence {
  abstract readonly dim: number;
  private nextIndex = 0;

  /** The point of the sequence at `index`, in [0, 1)^dim. */
  abstract point(index: number, out?: Float64Array): Float64Array;

  /** The next point of a running sequence (starts at index 0; see `point` for random access). */
  next(): Float64Array {
    return this.point(this.nextIndex++);
  }

  /** `n` points from `start` (default: continue the running sequence). */
  sample(n: number, start?: number): Float64Array[] {
    const first = start ?? this.nextIndex;
    const out: Float64Array[] = [];
    for (let i = 0; i < n; i++) out.push(this.point(first + i));
    this.nextIndex = first + n;
    return out;
  }
}
