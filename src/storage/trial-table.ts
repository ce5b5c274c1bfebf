/**
 * Every trial of a study column by column: what an export of millions of trials reads
 * (`studyopt export --format parquet`). A million FrozenTrials hold a million objects of params
 * and attributes each (about 6 KB a trial in memory); a table holds a typed array per numeric
 * column (8 bytes a trial), and a store can fill it without building a trial object at all
 * (Storage.readTrialTable; readTrialTable() in storage.ts falls back on this). {@link trialTableOf} builds the same table from FrozenTrials,
 * for stores without a faster way; the two must agree exactly (a test holds them to it).
 */
import type { FrozenTrial, TrialState } from '../frozen-trial.js';

/**
 * One column: `numbers` while every value is a number (`present` marks the trials that have one),
 * `values` once another kind appears (null marks a trial without one).
 */
export type TrialColumn =
  | { readonly kind: 'numbers'; readonly data: Float64Array; readonly present: Uint8Array }
  | { readonly kind: 'values'; readonly data: readonly unknown[] };

export interface TrialTable {
  /** Trials, in number order. */
  readonly size: number;
  readonly number: Int32Array;
  readonly state: readonly TrialState[];
  /** Epoch milliseconds; NaN where the trial has none. */
  readonly datetimeStart: Float64Array;
  readonly datetimeComplete: Float64Array;
  /** One column per objective. */
  readonly values: readonly TrialColumn[];
  /** Parameters by name, external values (a categorical's choice, not its index). */
  readonly params: ReadonlyMap<string, TrialColumn>;
  readonly userAttrs: ReadonlyMap<string, TrialColumn>;
  readonly systemAttrs: ReadonlyMap<string, TrialColumn>;
}

/** Fills one column of `size` rows, value by value, as numbers while it can. */
export class ColumnBuilder {
  private numbers: Float64Array | null;
  private present: Uint8Array | null;
  private values: unknown[] | null = null;

  constructor(private readonly size: number) {
    this.numbers = new Float64Array(size);
    this.present = new Uint8Array(size);
  }

  set(row: number, value: unknown): void {
    if (this.numbers !== null) {
      if (typeof value === 'number') {
        this.numbers[row] = value;
        this.present![row] = 1;
        return;
      }
      if (value === null || value === undefined) {
        this.present![row] = 0;
        return;
      }
      this.values = Array.from({ length: this.size }, (_, i) => (this.present![i] ? this.numbers![i] : null));
      this.numbers = null;
      this.present = null;
    }
    this.values![row] = value ?? null;
  }

  build(): TrialColumn {
    return this.numbers !== null ? { kind: 'numbers', data: this.numbers, present: this.present! } : { kind: 'values', data: this.values! };
  }
}

/** Column builders by name, created on first use. */
export class ColumnSet {
  private readonly byName = new Map<string, ColumnBuilder>();

  constructor(private readonly size: number) {}

  set(name: string, row: number, value: unknown): void {
    let b = this.byName.get(name);
    if (b === undefined) {
      b = new ColumnBuilder(this.size);
      this.byName.set(name, b);
    }
    b.set(row, value);
  }

  build(): Map<string, TrialColumn> {
    return new Map([...this.byName].map(([name, b]) => [name, b.build()]));
  }
}

/** The table of these trials (in the order given). */
export function trialTableOf(trials: readonly FrozenTrial[], nObjectives: number): TrialTable {
  const size = trials.length;
  const number = new Int32Array(size);
  const datetimeStart = new Float64Array(size);
  const datetimeComplete = new Float64Array(size);
  const values = Array.from({ length: nObjectives }, () => new ColumnBuilder(size));
  const params = new ColumnSet(size);
  const userAttrs = new ColumnSet(size);
  const systemAttrs = new ColumnSet(size);
  trials.forEach((t, row) => {
    number[row] = t.number;
    datetimeStart[row] = t.datetimeStart?.getTime() ?? NaN;
    datetimeComplete[row] = t.datetimeComplete?.getTime() ?? NaN;
    if (t.values) values.forEach((b, i) => b.set(row, t.values![i]));
    for (const [k, v] of Object.entries(t.params)) params.set(k, row, v);
    for (const [k, v] of Object.entries(t.userAttrs)) userAttrs.set(k, row, v);
    for (const [k, v] of Object.entries(t.systemAttrs)) systemAttrs.set(k, row, v);
  });
  return {
    size,
    number,
    state: trials.map((t) => t.state),
    datetimeStart,
    datetimeComplete,
    values: values.map((b) => b.build()),
    params: params.build(),
    userAttrs: userAttrs.build(),
    systemAttrs: systemAttrs.build(),
  };
}
