/**
 * One parameter's internal values over past trials, kept in ascending order from ask to ask.
 *
 * Independent TPE builds, for every parameter of every trial, a Parzen estimator over all the
 * "above" trials, whose bandwidths need the values sorted. Sorting a thousand values ten times
 * per trial dominates the cost of an ask; between two asks only a few trials are new, so this
 * column inserts those and hands out the sorted values of whichever trials the caller selects.
 *
 * The column is a cache: it may hold trials that are no longer relevant (a RUNNING trial that
 * later failed), and callers select by trial number, so it never needs to forget anything.
 */
import type { Distribution, ParamValue } from '../../src/distributions.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { type Allocator, HEAP } from './scratch.js';

export interface Selection {
  /** Ascending values. */
  readonly values: Float64Array;
  /** The trial number of each value. */
  readonly numbers: Int32Array;
}

const ABSENT = 1;
const PRESENT = 2;

export class SortedColumn {
  private numbers = new Int32Array(64);
  private values = new Float64Array(64);
  private size = 0;
  /** Per trial number: 0 not looked at, ABSENT (finished without the parameter), PRESENT. */
  private seen = new Uint8Array(64);
  /** Per trial number: the value when PRESENT (the joint estimators read trials in their own order). */
  private byNumber = new Float64Array(64);

  constructor(
    readonly name: string,
    private readonly toInternal: (value: ParamValue | undefined) => number | null,
  ) {}

  /** Adds the trials not yet seen (a RUNNING trial without the parameter is looked at again later). */
  update(trials: readonly FrozenTrial[]): void {
    for (const t of trials) {
      const state = t.number < this.seen.length ? this.seen[t.number] : 0;
      if (state !== 0) continue;
      const v = this.toInternal(t.params[this.name]);
      if (v === null) {
        if (t.state !== 'RUNNING') this.mark(t.number, ABSENT);
        continue;
      }
      this.insert(t.number, v);
      this.mark(t.number, PRESENT);
      this.byNumber[t.number] = v;
    }
  }

  /** The value of trial `number`, or null when it lacks the parameter or was not seen by `update`. */
  valueOf(number: number): number | null {
    return number < this.seen.length && this.seen[number] === PRESENT ? this.byNumber[number] : null;
  }

  /**
   * The sorted values of the trials whose `role[number]` is `first`, and of those whose role is
   * `second`, each with the trial numbers; numbers beyond `role` are not selected.
   */
  select(role: Uint8Array, first: number, second: number, alloc: Allocator = HEAP): [Selection, Selection] {
    const v1 = alloc.float64(this.size);
    const n1 = alloc.int32(this.size);
    const v2 = alloc.float64(this.size);
    const n2 = alloc.int32(this.size);
    let a = 0;
    let b = 0;
    for (let i = 0; i < this.size; i++) {
      const num = this.numbers[i];
      const r = num < role.length ? role[num] : 0;
      if (r === first) {
        v1[a] = this.values[i];
        n1[a++] = num;
      } else if (r === second) {
        v2[b] = this.values[i];
        n2[b++] = num;
      }
    }
    return [
      { values: v1.subarray(0, a), numbers: n1.subarray(0, a) },
      { values: v2.subarray(0, b), numbers: n2.subarray(0, b) },
    ];
  }

  private mark(number: number, state: number): void {
    if (number >= this.seen.length) {
      const length = Math.max(number + 1, this.seen.length * 2);
      const grown = new Uint8Array(length);
      grown.set(this.seen);
      this.seen = grown;
      const values = new Float64Array(length);
      values.set(this.byNumber);
      this.byNumber = values;
    }
    this.seen[number] = state;
  }

  private insert(number: number, value: number): void {
    if (this.size === this.values.length) {
      const v = new Float64Array(this.size * 2);
      v.set(this.values);
      this.values = v;
      const n = new Int32Array(this.size * 2);
      n.set(this.numbers);
      this.numbers = n;
    }
    // After the last equal value, so that equal values stay in insertion order.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid] <= value) lo = mid + 1;
      else hi = mid;
    }
    this.values.copyWithin(lo + 1, lo, this.size);
    this.numbers.copyWithin(lo + 1, lo, this.size);
    this.values[lo] = value;
    this.numbers[lo] = number;
    this.size++;
  }
}

/** A trial's value as an internal number of `d`, or null when it is missing or no longer fits. */
export function internalValue(d: Distribution, value: ParamValue | undefined): number | null {
  if (value === undefined) return null;
  switch (d.type) {
    case 'float':
    case 'int':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'ordinal': {
      const i = typeof value === 'number' ? d.values.indexOf(value) : -1;
      return i < 0 ? null : i;
    }
    case 'categorical': {
      const i = d.choices.indexOf(value);
      return i < 0 ? null : i;
    }
  }
}
