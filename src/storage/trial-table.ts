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

/**
 * One of `of` parts of a study's trials, in number order: `index` 0 holds the first trials. Parts
 * of about equal size can be read in parallel (by several connections) and written in order.
 */
export interface TrialTablePart {
  readonly index: number;
  readonly of: number;
}

/** Fills one column of `size` rows, value by value, as numbers while it can. */
class ColumnBuilder {
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
class ColumnSet {
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

/** A table of `size` trials being filled row by row; `build()` gives it. */
export class TrialTableBuilder {
  readonly number: Int32Array;
  readonly state: TrialState[];
  readonly datetimeStart: Float64Array;
  readonly datetimeComplete: Float64Array;
  readonly values: ColumnBuilder[];
  readonly params: ColumnSet;
  readonly userAttrs: ColumnSet;
  readonly systemAttrs: ColumnSet;

  constructor(
    readonly size: number,
    nObjectives: number,
  ) {
    this.number = new Int32Array(size);
    this.state = new Array<TrialState>(size);
    this.datetimeStart = new Float64Array(size);
    this.datetimeComplete = new Float64Array(size);
    this.values = Array.from({ length: nObjectives }, () => new ColumnBuilder(size));
    this.params = new ColumnSet(size);
    this.userAttrs = new ColumnSet(size);
    this.systemAttrs = new ColumnSet(size);
  }

  build(): TrialTable {
    return {
      size: this.size,
      number: this.number,
      state: this.state,
      datetimeStart: this.datetimeStart,
      datetimeComplete: this.datetimeComplete,
      values: this.values.map((b) => b.build()),
      params: this.params.build(),
      userAttrs: this.userAttrs.build(),
      systemAttrs: this.systemAttrs.build(),
    };
  }
}

/** The table of these trials (in the order given). */
export function trialTableOf(trials: readonly FrozenTrial[], nObjectives: number): TrialTable {
  const table = new TrialTableBuilder(trials.length, nObjectives);
  trials.forEach((t, row) => {
    table.number[row] = t.number;
    table.state[row] = t.state;
    table.datetimeStart[row] = t.datetimeStart?.getTime() ?? NaN;
    table.datetimeComplete[row] = t.datetimeComplete?.getTime() ?? NaN;
    if (t.values) table.values.forEach((b, i) => b.set(row, t.values![i]));
    for (const [k, v] of Object.entries(t.params)) table.params.set(k, row, v);
    for (const [k, v] of Object.entries(t.userAttrs)) table.userAttrs.set(k, row, v);
    for (const [k, v] of Object.entries(t.systemAttrs)) table.systemAttrs.set(k, row, v);
  });
  return table.build();
}

/** Columns of several tables one after the other; a column missing from a table is null there. */
function concatColumns(parts: readonly (TrialColumn | undefined)[], sizes: readonly number[]): TrialColumn {
  const total = sizes.reduce((a, n) => a + n, 0);
  if (parts.every((c) => c === undefined || c.kind === 'numbers')) {
    const data = new Float64Array(total);
    const present = new Uint8Array(total);
    let at = 0;
    parts.forEach((c, i) => {
      if (c?.kind === 'numbers') {
        data.set(c.data, at);
        present.set(c.present, at);
      }
      at += sizes[i];
    });
    return { kind: 'numbers', data, present };
  }
  const data: unknown[] = new Array<unknown>(total).fill(null);
  let at = 0;
  parts.forEach((c, i) => {
    if (c?.kind === 'values') for (let k = 0; k < sizes[i]; k++) data[at + k] = c.data[k];
    else if (c?.kind === 'numbers') for (let k = 0; k < sizes[i]; k++) data[at + k] = c.present[k] ? c.data[k] : null;
    at += sizes[i];
  });
  return { kind: 'values', data };
}

function concatNamed(maps: readonly ReadonlyMap<string, TrialColumn>[], sizes: readonly number[]): Map<string, TrialColumn> {
  const names = new Set(maps.flatMap((m) => [...m.keys()]));
  return new Map([...names].map((name) => [name, concatColumns(maps.map((m) => m.get(name)), sizes)]));
}

/** The trials of `tables` (parts or chunks of one study, in order) as one table. */
export function concatTrialTables(tables: readonly TrialTable[], nObjectives: number): TrialTable {
  if (tables.length === 1) return tables[0];
  const sizes = tables.map((t) => t.size);
  const joined = <A extends Int32Array | Float64Array>(make: (n: number) => A, pick: (t: TrialTable) => A): A => {
    const out = make(sizes.reduce((a, n) => a + n, 0));
    let at = 0;
    for (const t of tables) {
      out.set(pick(t), at);
      at += t.size;
    }
    return out;
  };
  return {
    size: sizes.reduce((a, n) => a + n, 0),
    number: joined((n) => new Int32Array(n), (t) => t.number),
    state: ([] as TrialState[]).concat(...tables.map((t) => t.state)),
    datetimeStart: joined((n) => new Float64Array(n), (t) => t.datetimeStart),
    datetimeComplete: joined((n) => new Float64Array(n), (t) => t.datetimeComplete),
    values: Array.from({ length: nObjectives }, (_, i) => concatColumns(tables.map((t) => t.values[i]), sizes)),
    params: concatNamed(tables.map((t) => t.params), sizes),
    userAttrs: concatNamed(tables.map((t) => t.userAttrs), sizes),
    systemAttrs: concatNamed(tables.map((t) => t.systemAttrs), sizes),
  };
}

/** The rows of part `part` of `size` trials: [from, to). */
export function partRows(size: number, part: TrialTablePart): [number, number] {
  return [Math.floor((size * part.index) / part.of), Math.floor((size * (part.index + 1)) / part.of)];
}
