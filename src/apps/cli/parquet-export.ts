/**
 * Trials as a Parquet file (the seed's grid tool wrote Parquet): one row per trial, the same
 * columns as the CSV and JSON exports (Optuna's trials_dataframe names), each typed from its
 * values: numbers as DOUBLE (INT32 for the trial number), text as UTF-8 strings, booleans as
 * BOOLEAN, anything else as JSON text; missing values are nulls. Written with hyparquet-writer,
 * the writer companion of hyparquet, which the data import already uses to read Parquet.
 */
import { parquetWriteFile } from 'hyparquet-writer';

type Basic = 'INT32' | 'DOUBLE' | 'STRING' | 'BOOLEAN' | 'JSON';

function columnType(name: string, values: readonly unknown[]): Basic {
  let numbers = true;
  let booleans = true;
  let strings = true;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') numbers = false;
    if (typeof v !== 'boolean') booleans = false;
    if (typeof v !== 'string') strings = false;
  }
  if (numbers) return name === 'number' ? 'INT32' : 'DOUBLE';
  if (booleans) return 'BOOLEAN';
  if (strings) return 'STRING';
  return 'JSON';
}

/** Writes `rows` (objects by column) to a Parquet file at `path`. */
export function writeTrialsParquet(path: string, columns: readonly string[], rows: readonly Record<string, unknown>[]): void {
  const columnData = columns.map((name) => {
    const values = rows.map((r) => r[name] ?? null);
    const type = columnType(name, values);
    // JSON columns as their text; numbers that JSON cannot hold (±Infinity, NaN) stay numbers.
    const data = type === 'JSON' ? values.map((v) => (v === null ? null : JSON.stringify(v))) : values;
    return { name, data, type: type === 'JSON' ? ('STRING' as const) : type, nullable: true };
  });
  parquetWriteFile({ filename: path, columnData, rowGroupSize: 100_000 });
}
