/**
 * M1 bars from Parquet files (the real XAUUSD data ships as daily Parquet), read with the
 * pure-JS hyparquet and its compressors. Columns open/high/low/close plus a time column named
 * time, timestamp, datetime or date (Parquet TIMESTAMP, or integers in s/ms/µs/ns).
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { UsageError } from '../../../src/errors.js';
import type { RawBars } from './raw-bars.js';

export interface ParquetParseReport {
  file: string;
  rows: number;
  badRows: number;
  badExamples: string[];
}

const TIME_COLUMNS = ['time', 'timestamp', 'datetime', 'date', '__index_level_0__'];

function toUtcMinute(v: unknown): number {
  if (v instanceof Date) return v.getTime() / 60_000;
  const x = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
  // Pick the unit from the magnitude: ns > 1e17, µs > 1e14, ms > 1e11, else seconds.
  const ms = x > 1e17 ? x / 1e6 : x > 1e14 ? x / 1e3 : x > 1e11 ? x : x * 1000;
  return ms / 60_000;
}

export async function parseParquet(
  bytes: Uint8Array,
  file: string,
  skipBadRows: boolean,
  into: RawBars,
): Promise<ParquetParseReport> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let names: string[];
  let rowCount: number;
  try {
    const metadata = parquetMetadata(ab);
    names = metadata.schema.slice(1).map((s) => s.name);
    rowCount = Number(metadata.num_rows);
  } catch (e) {
    throw new UsageError(`${file}: not a readable Parquet file (${(e as Error).message})`);
  }
  const report: ParquetParseReport = { file, rows: 0, badRows: 0, badExamples: [] };
  // A day without trading (Good Friday in a file per day) can come as a file with no rows, and
  // then often no columns either: nothing to read, as an empty CSV.
  if (rowCount === 0) return report;
  const timeCol = TIME_COLUMNS.find((c) => names.includes(c));
  for (const c of ['open', 'high', 'low', 'close']) {
    if (!names.includes(c)) throw new UsageError(`${file}: Parquet file has no "${c}" column (columns: ${names.join(', ')})`);
  }
  if (timeCol === undefined) {
    throw new UsageError(`${file}: Parquet file has no time column (one of ${TIME_COLUMNS.join(', ')})`);
  }
  const rows = (await parquetReadObjects({
    file: ab,
    compressors,
    columns: [timeCol, 'open', 'high', 'low', 'close'],
  })) as Record<string, unknown>[];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const t = toUtcMinute(row[timeCol]);
    const [o, h, l, c] = [row['open'], row['high'], row['low'], row['close']].map(Number) as [number, number, number, number];
    let problem = '';
    if (!Number.isFinite(t)) problem = 'unreadable time';
    else if (!Number.isInteger(t)) problem = 'time is not on a whole minute';
    else if (![o, h, l, c].every(Number.isFinite)) problem = 'open/high/low/close must be numbers';
    else if (h < l) problem = `high ${h} is below low ${l}`;
    if (problem !== '') {
      // Parquet has no lines; the row number (1-based) plays that part.
      const where = `${file}:row ${i + 1}`;
      if (!skipBadRows) throw new UsageError(`${where}: bad row (${problem}); fix it or pass --skip-bad-rows`);
      report.badRows++;
      if (report.badExamples.length < 5) report.badExamples.push(`${where}: ${problem}`);
      continue;
    }
    into.push(t, o, h, l, c);
    report.rows++;
  }
  return report;
}
