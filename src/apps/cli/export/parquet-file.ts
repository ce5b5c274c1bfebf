/**
 * Trials as a Parquet file (the seed's grid tool wrote Parquet): one row per trial, the columns
 * of the CSV and JSON exports (Optuna's trials_dataframe names), each typed: numbers as DOUBLE
 * (the trial number as INT32), the dates as TIMESTAMP (milliseconds), text as UTF-8 strings,
 * booleans as BOOLEAN, anything else as JSON text; missing values are nulls. The trials come as
 * TrialTables (storage/trial-table.ts), so a grid of millions of trials is never a million
 * objects; numeric columns go to hyparquet-writer as the typed arrays they are read into.
 *
 * A file is written part after part, as row groups: the columns and their types are those of
 * the first part, and a later part that does not fit them (a parameter first seen there, text
 * where the first part had numbers) is refused, so that the caller can write the whole table at
 * once instead.
 */
import { type ColumnSource, ParquetWriter, fileWriter, schemaFromColumnData } from 'hyparquet-writer';
import { type TrialColumn, type TrialTable, trialTableOf } from '../../../storage/trial-table.js';
import { durationSeconds, trialColumnNames } from '../commands/storage-options.js';

/** How a column is written; JSON is UTF-8 text holding each value's JSON. */
type Kind = 'INT32' | 'DOUBLE' | 'TIMESTAMP' | 'STRING' | 'BOOLEAN' | 'JSON';

/** The kind of a column of any values: the one kind they all are (nulls aside), else JSON. */
function valuesKind(values: readonly unknown[]): Kind {
  let numbers = true;
  let booleans = true;
  let strings = true;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') numbers = false;
    if (typeof v !== 'boolean') booleans = false;
    if (typeof v !== 'string') strings = false;
  }
  return numbers ? 'DOUBLE' : booleans ? 'BOOLEAN' : strings ? 'STRING' : 'JSON';
}

/** Whether a column of `kind` can take values of `have` (all-null values fit anything; JSON takes anything). */
function fits(kind: Kind, have: Kind, allNull: boolean): boolean {
  return kind === have || kind === 'JSON' || allNull;
}

/** A column's values as `kind` wants them: JSON as its text, missing values as nulls. */
function dataAs(kind: Kind, column: TrialColumn | undefined, size: number): ColumnSource['data'] {
  if (column === undefined) return new Array<null>(size).fill(null);
  if (column.kind === 'numbers') {
    if (kind === 'DOUBLE' && column.present.every((p) => p === 1)) return column.data;
    return Array.from(column.data, (v, i) => (column.present[i] ? (kind === 'JSON' ? JSON.stringify(v) : v) : null));
  }
  return kind === 'JSON' ? column.data.map((v) => (v === null || v === undefined ? null : JSON.stringify(v))) : column.data.map((v) => v ?? null);
}

function kindOf(column: TrialColumn | undefined): { kind: Kind; allNull: boolean } {
  if (column === undefined) return { kind: 'DOUBLE', allNull: true };
  if (column.kind === 'numbers') return { kind: 'DOUBLE', allNull: column.present.every((p) => p === 0) };
  return { kind: valuesKind(column.data), allNull: column.data.every((v) => v === null || v === undefined) };
}

function timestamps(ms: Float64Array): (number | null)[] {
  return Array.from(ms, (v) => (Number.isNaN(v) ? null : v));
}

/** A table's columns by name (prefixed as in the CSV export). */
function columnsOf(table: TrialTable, valueColumns: readonly string[]): Map<string, TrialColumn> {
  const byName = new Map<string, TrialColumn>();
  valueColumns.forEach((name, i) => byName.set(name, table.values[i]));
  for (const [prefix, columns] of [
    ['params_', table.params],
    ['user_attrs_', table.userAttrs],
    ['system_attrs_', table.systemAttrs],
  ] as const) {
    for (const [key, column] of columns) byName.set(`${prefix}${key}`, column);
  }
  return byName;
}

/** The fixed columns: computed from the trial itself rather than stored as a column. */
function fixedData(name: string, table: TrialTable): ColumnSource['data'] | undefined {
  switch (name) {
    case 'number':
      return table.number;
    case 'datetime_start':
      return timestamps(table.datetimeStart);
    case 'datetime_complete':
      return timestamps(table.datetimeComplete);
    case 'duration':
      return Array.from(table.datetimeStart, (start, i) => durationSeconds(start, table.datetimeComplete[i]));
    case 'state':
      return [...table.state];
    default:
      return undefined;
  }
}

const FIXED_KINDS: Readonly<Record<string, Kind>> = { number: 'INT32', datetime_start: 'TIMESTAMP', datetime_complete: 'TIMESTAMP', duration: 'DOUBLE', state: 'STRING' };

export class TrialParquetFile {
  private writer: ParquetWriter | null = null;
  /** The file's columns in order, and how each is written. */
  private columns: { name: string; kind: Kind }[] = [];

  constructor(
    private readonly path: string,
    private readonly valueColumns: readonly string[],
  ) {}

  /**
   * Appends a table's trials. The first table fixes the columns; a later one that does not fit
   * them writes nothing and returns false.
   */
  append(table: TrialTable): boolean {
    const stored = columnsOf(table, this.valueColumns);
    if (this.writer === null) {
      const names = trialColumnNames(this.valueColumns, table.params.keys(), table.userAttrs.keys(), table.systemAttrs.keys());
      this.columns = names.map((name) => ({ name, kind: FIXED_KINDS[name] ?? kindOf(stored.get(name)).kind }));
      const schema = schemaFromColumnData({
        columnData: this.columns.map(({ name, kind }) => ({
          name,
          data: [],
          type: kind === 'JSON' ? 'STRING' : kind,
          nullable: name !== 'number' && name !== 'state',
        })),
      });
      this.writer = new ParquetWriter({ writer: fileWriter(this.path), schema });
    } else {
      const known = new Set(this.columns.map((c) => c.name));
      if ([...stored.keys()].some((name) => !known.has(name))) return false;
      for (const { name, kind } of this.columns) {
        if (name in FIXED_KINDS) continue;
        const have = kindOf(stored.get(name));
        if (!fits(kind, have.kind, have.allNull)) return false;
      }
    }
    const columnData = this.columns.map(({ name, kind }) => ({ name, data: fixedData(name, table) ?? dataAs(kind, stored.get(name), table.size) }));
    if (table.size > 0) void this.writer.write({ columnData, rowGroupSize: 100_000 });
    return true;
  }

  /** Ends the file (its footer); a file given no table gets the columns of an empty study. */
  finish(): void {
    if (this.writer === null) this.append(trialTableOf([], this.valueColumns.length));
    void this.writer!.finish();
  }
}

/** Writes `table` to a Parquet file at `path`; `valueColumns` names its objectives (valueColumnNames). */
export function writeTrialTableParquet(path: string, table: TrialTable, valueColumns: readonly string[]): void {
  const file = new TrialParquetFile(path, valueColumns);
  file.append(table);
  file.finish();
}
