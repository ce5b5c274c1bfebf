/**
 * Trials as a Parquet file (the seed's grid tool wrote Parquet): one row per trial, the columns
 * of the CSV and JSON exports (Optuna's trials_dataframe names), each typed: numbers as DOUBLE
 * (the trial number as INT32), the dates as TIMESTAMP (milliseconds), text as UTF-8 strings,
 * booleans as BOOLEAN, anything else as JSON text; missing values are nulls. The trials come as
 * a TrialTable (storage/trial-table.ts), so a grid of millions of trials is never a million
 * objects; numeric columns go to hyparquet-writer as the typed arrays they are read into.
 */
import { type ColumnSource, parquetWriteFile } from 'hyparquet-writer';
import type { TrialColumn, TrialTable } from '../../storage/trial-table.js';
import { durationSeconds, trialColumnNames } from './commands/storage-options.js';

type Basic = 'DOUBLE' | 'STRING' | 'BOOLEAN' | 'JSON';

/** The Parquet type of a column of any values: the one kind they all are (nulls aside), else JSON. */
function valuesType(values: readonly unknown[]): Basic {
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

/** Numbers with gaps as an array with nulls; without gaps, the typed array itself. */
function numbersData(data: Float64Array, present: Uint8Array): Float64Array | (number | null)[] {
  if (present.every((p) => p === 1)) return data;
  return Array.from(data, (v, i) => (present[i] ? v : null));
}

function columnSource(name: string, column: TrialColumn): ColumnSource {
  if (column.kind === 'numbers') return { name, data: numbersData(column.data, column.present), type: 'DOUBLE', nullable: true };
  const type = valuesType(column.data);
  // JSON columns as their text; numbers that JSON cannot hold (±Infinity, NaN) stay numbers.
  const data = type === 'JSON' ? column.data.map((v) => (v === null || v === undefined ? null : JSON.stringify(v))) : column.data.map((v) => v ?? null);
  return { name, data, type: type === 'JSON' ? 'STRING' : type, nullable: true };
}

function timestamps(ms: Float64Array): (number | null)[] {
  return Array.from(ms, (v) => (Number.isNaN(v) ? null : v));
}

/** Writes `table` to a Parquet file at `path`; `valueColumns` names its objectives (valueColumnNames). */
export function writeTrialTableParquet(path: string, table: TrialTable, valueColumns: readonly string[]): void {
  const byName = new Map<string, ColumnSource>();
  byName.set('number', { name: 'number', data: table.number, type: 'INT32', nullable: false });
  valueColumns.forEach((name, i) => byName.set(name, columnSource(name, table.values[i])));
  byName.set('datetime_start', { name: 'datetime_start', data: timestamps(table.datetimeStart), type: 'TIMESTAMP', nullable: true });
  byName.set('datetime_complete', { name: 'datetime_complete', data: timestamps(table.datetimeComplete), type: 'TIMESTAMP', nullable: true });
  const duration = Array.from(table.datetimeStart, (start, i) => durationSeconds(start, table.datetimeComplete[i]));
  byName.set('duration', { name: 'duration', data: duration, type: 'DOUBLE', nullable: true });
  for (const [prefix, columns] of [
    ['params_', table.params],
    ['user_attrs_', table.userAttrs],
    ['system_attrs_', table.systemAttrs],
  ] as const) {
    for (const [key, column] of columns) byName.set(`${prefix}${key}`, columnSource(`${prefix}${key}`, column));
  }
  byName.set('state', { name: 'state', data: [...table.state], type: 'STRING', nullable: false });
  const order = trialColumnNames(valueColumns, table.params.keys(), table.userAttrs.keys(), table.systemAttrs.keys());
  parquetWriteFile({ filename: path, columnData: order.map((name) => byName.get(name)!), rowGroupSize: 100_000 });
}
