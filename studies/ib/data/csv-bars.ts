/**
 * M1 CSV parsing for the layouts users have: MetaTrader 5 exports, Dukascopy, HistData and
 * generic files (header or none; `,` `;` or tab; unix seconds, milliseconds or date-time text).
 *
 * A bad row (non-number, high < low, impossible or non-minute time) throws a UsageError that
 * names `file:line`, or with `skipBadRows` is counted and skipped.
 */
import { UsageError } from '../../../src/errors.js';
import { LocalToUtc } from './local-time.js';
import type { RawBars } from './raw-bars.js';

export const CSV_FORMATS = ['auto', 'mt5', 'dukascopy', 'histdata', 'generic'] as const;
export type CsvFormat = (typeof CSV_FORMATS)[number];

export interface CsvParseOptions {
  format: CsvFormat;
  /** Zone of naive times; default UTC, except HistData files (US Eastern wall clock). */
  timeZone?: string;
  skipBadRows: boolean;
}

export interface CsvParseReport {
  file: string;
  format: Exclude<CsvFormat, 'auto'>;
  timeZone: string;
  rows: number;
  badRows: number;
  /** The first few skipped rows as `file:line: reason`. */
  badExamples: string[];
}

/** Column positions; `date` >= 0 when date and time are separate columns. */
interface Layout {
  delimiter: string;
  header: boolean;
  date: number;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

const HISTDATA_RE = /^\d{8} \d{6};/;

function detectFormat(firstLine: string): Exclude<CsvFormat, 'auto'> {
  if (HISTDATA_RE.test(firstLine)) return 'histdata';
  if (firstLine.startsWith('<DATE>')) return 'mt5';
  if (/^(gmt time|time),open,high,low,close/i.test(firstLine.replace(/\s+(?=,)/g, ''))) return 'dukascopy';
  return 'generic';
}

function detectDelimiter(line: string): string {
  if (line.includes('\t')) return '\t';
  const semis = line.split(';').length;
  const commas = line.split(',').length;
  return semis > commas ? ';' : ',';
}

const TIME_NAMES = new Set(['time', 'datetime', 'date_time', 'timestamp', 'gmt time', 'local time', 'utc', 'date']);

function layoutFor(lines: string[], format: Exclude<CsvFormat, 'auto'>, file: string): Layout {
  const first = lines.find((l) => l.trim() !== '') ?? '';
  const delimiter = format === 'histdata' ? ';' : format === 'mt5' ? '\t' : detectDelimiter(first);
  const fields = first.split(delimiter).map((f) => f.trim());
  const looksNumeric = (s: string | undefined) => s !== undefined && s !== '' && Number.isFinite(Number(s));
  // The fourth field is a price in every header-less layout (time,o,h,l / date,time,o,h).
  const header = !looksNumeric(fields[3]);
  if (header) {
    const names = fields.map((f) => f.replace(/^<|>$/g, '').toLowerCase());
    const idx = (n: string) => names.indexOf(n);
    const open = idx('open');
    const high = idx('high');
    const low = idx('low');
    const close = idx('close');
    if (open < 0 || high < 0 || low < 0 || close < 0) {
      throw new UsageError(`${file}:1: header "${first}" lacks open/high/low/close columns; name them or use --format`);
    }
    const dateCol = idx('date');
    const timeCol = idx('time');
    if (dateCol >= 0 && timeCol >= 0) return { delimiter, header, date: dateCol, time: timeCol, open, high, low, close };
    const t = names.findIndex((n) => TIME_NAMES.has(n));
    if (t < 0) throw new UsageError(`${file}:1: header "${first}" has no time column (time, datetime, timestamp, date)`);
    return { delimiter, header, date: -1, time: t, open, high, low, close };
  }
  // No header: time (or date, time) then open, high, low, close[, volume...].
  const split = /^\d{4}[.\-/]\d{2}[.\-/]\d{2}$/.test(fields[0] ?? '') && /^\d{1,2}:\d{2}(:\d{2})?$/.test(fields[1] ?? '');
  return split
    ? { delimiter, header, date: 0, time: 1, open: 2, high: 3, low: 4, close: 5 }
    : { delimiter, header, date: -1, time: 0, open: 1, high: 2, low: 3, close: 4 };
}

/** Result of reading one time field: UTC minute when `absolute`, else a naive local minute. */
interface ParsedTime {
  minute: number;
  absolute: boolean;
  error: string;
}

function civilMinute(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, out: ParsedTime): void {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    out.error = 'impossible date or time';
    return;
  }
  const t = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(t);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) {
    out.error = 'impossible date';
    return;
  }
  if (s !== 0 || ms !== 0) {
    out.error = 'time is not on a whole minute (M1 bars open at :00 seconds)';
    return;
  }
  out.minute = t / 60_000;
}

// YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM] and YYYY.MM.DD / YYYY/MM/DD variants.
const ISO_RE = /^(\d{4})[-./](\d{2})[-./](\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
// DD.MM.YYYY HH:MM[:SS[.fff]] (Dukascopy exports) and DD/MM/YYYY.
const DMY_RE = /^(\d{2})[./](\d{2})[./](\d{4})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2}|GMT[+-]\d{4})?$/;
// YYYYMMDD HHMMSS (HistData) and YYYYMMDD HH:MM[:SS].
const COMPACT_RE = /^(\d{4})(\d{2})(\d{2})[ T](\d{2}):?(\d{2}):?(\d{2})?$/;

function parseTime(text: string, out: ParsedTime): void {
  out.error = '';
  out.absolute = false;
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const v = Number(s);
    // Unix milliseconds are > 1e11 for any date after 1973; seconds are below.
    const ms = v > 1e11 ? v : v * 1000;
    if (ms % 60_000 !== 0) {
      out.error = 'unix time is not on a whole minute';
      return;
    }
    out.minute = ms / 60_000;
    out.absolute = true;
    return;
  }
  let m = ISO_RE.exec(s);
  let y: number, mo: number, d: number;
  let zone: string | undefined;
  if (m) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    zone = m[8];
  } else if ((m = DMY_RE.exec(s))) {
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    zone = m[8];
  } else if ((m = COMPACT_RE.exec(s))) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    out.error = `unreadable time "${text}"`;
    return;
  }
  const ms = m[7] !== undefined ? Number(m[7]) : 0;
  civilMinute(y, mo, d, Number(m[4]), Number(m[5]), m[6] !== undefined ? Number(m[6]) : 0, ms, out);
  if (out.error !== '' || zone === undefined) return;
  out.absolute = true;
  if (zone === 'Z') return;
  const z = zone.replace('GMT', '').replace(':', '');
  const sign = z[0] === '-' ? -1 : 1;
  out.minute -= sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
}

/**
 * Parses one file's text, appending good rows to `into`. `file` is used in messages.
 */
export function parseCsvText(text: string, file: string, options: CsvParseOptions, into: RawBars): CsvParseReport {
  const lines = text.split(/\r?\n/);
  const firstLine = lines.find((l) => l.trim() !== '') ?? '';
  if (firstLine === '') throw new UsageError(`${file}: the file is empty; give a CSV of M1 bars`);
  const format = options.format === 'auto' ? detectFormat(firstLine) : options.format;
  const timeZone = options.timeZone ?? (format === 'histdata' ? 'America/New_York' : 'UTC');
  const toUtc = new LocalToUtc(timeZone);
  const layout = layoutFor(lines, format, file);
  const report: CsvParseReport = { file, format, timeZone, rows: 0, badRows: 0, badExamples: [] };
  const pt: ParsedTime = { minute: 0, absolute: false, error: '' };
  const { delimiter } = layout;
  const need = Math.max(layout.time, layout.date, layout.open, layout.high, layout.low, layout.close) + 1;
  let headerSkipped = !layout.header;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    if (!headerSkipped) {
      headerSkipped = true;
      continue;
    }
    const f = line.split(delimiter);
    let problem = '';
    if (f.length < need) problem = `expected at least ${need} fields separated by "${delimiter === '\t' ? '\\t' : delimiter}", got ${f.length}`;
    let o = Number.NaN, h = Number.NaN, l = Number.NaN, c = Number.NaN;
    if (problem === '') {
      parseTime(layout.date >= 0 ? `${f[layout.date].trim()} ${f[layout.time].trim()}` : f[layout.time], pt);
      if (pt.error !== '') problem = pt.error;
    }
    if (problem === '') {
      o = Number(f[layout.open]);
      h = Number(f[layout.high]);
      l = Number(f[layout.low]);
      c = Number(f[layout.close]);
      const blank = [layout.open, layout.high, layout.low, layout.close].some((k) => f[k].trim() === '');
      if (blank || !Number.isFinite(o) || !Number.isFinite(h) || !Number.isFinite(l) || !Number.isFinite(c)) {
        problem = 'open/high/low/close must be numbers';
      } else if (h < l) {
        problem = `high ${h} is below low ${l}`;
      }
    }
    if (problem !== '') {
      const where = `${file}:${li + 1}`;
      if (!options.skipBadRows) {
        throw new UsageError(`${where}: bad row (${problem}): "${line.slice(0, 120)}"; fix it or pass --skip-bad-rows`);
      }
      report.badRows++;
      if (report.badExamples.length < 5) report.badExamples.push(`${where}: ${problem}`);
      continue;
    }
    const minute = pt.absolute ? pt.minute : toUtc.toUtc(pt.minute);
    into.push(minute, o, h, l, c);
    report.rows++;
  }
  return report;
}
