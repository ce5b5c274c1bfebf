/**
 * Reusable scratch memory for short-lived numeric arrays.
 *
 * A typed array of a few kilobytes costs microseconds to allocate in V8 (its memory lives
 * outside the JavaScript heap), and one TPE ask builds two Parzen estimators with a dozen such
 * arrays per parameter. A Scratch hands out views into a few large buffers instead and takes them
 * all back on `reset()`: whoever resets must be done with every array handed out before. Arrays
 * come uninitialised: callers write every element they read.
 */
export class Scratch {
  private f64 = new Float64Array(1 << 14);
  private f64Used = 0;
  private i32 = new Int32Array(1 << 13);
  private i32Used = 0;

  /** A Float64Array of length n with unspecified contents, valid until the next reset. */
  float64(n: number): Float64Array {
    if (this.f64Used + n > this.f64.length) {
      // Views handed out earlier keep the old buffer alive and stay valid.
      this.f64 = new Float64Array(Math.max(2 * this.f64.length, 2 * n));
      this.f64Used = 0;
    }
    const v = this.f64.subarray(this.f64Used, this.f64Used + n);
    this.f64Used += n;
    return v;
  }

  /** An Int32Array of length n with unspecified contents, valid until the next reset. */
  int32(n: number): Int32Array {
    if (this.i32Used + n > this.i32.length) {
      this.i32 = new Int32Array(Math.max(2 * this.i32.length, 2 * n));
      this.i32Used = 0;
    }
    const v = this.i32.subarray(this.i32Used, this.i32Used + n);
    this.i32Used += n;
    return v;
  }

  reset(): void {
    this.f64Used = 0;
    this.i32Used = 0;
  }
}

/** Allocation without a scratch: plain typed arrays. */
export const HEAP = {
  float64: (n: number): Float64Array => new Float64Array(n),
  int32: (n: number): Int32Array => new Int32Array(n),
};

export type Allocator = Pick<Scratch, 'float64' | 'int32'>;
