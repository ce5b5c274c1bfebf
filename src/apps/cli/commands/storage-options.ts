/**
 * What the study-file commands (studies, trials, best, export, delete) share: the `--storage`
 * flag, opening the file, finding a study by name, and trials as flat rows (Optuna's
 * `trials_dataframe` columns) for tables, CSV and JSON.
 */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UsageError } from '../../../errors.js';
import type { FrozenTrial, StudyDirection, TrialState } from '../../../frozen-trial.js';
import { resolveStorage, sqlitePathOf } from '../../../storage/resolve.js';
import { isPostgresUrl } from '../../../storage/postgres/url.js';
import type { Storage } from '../../../storage/storage.js';
import { formatLocal } from '../../../storage/sql/encoding.js';

export const DEFAULT_STORAGE = './studyopt.db';

export interface StorageArgs {
  storage: string;
}

export function withStorage<T>(y: Argv<T>): Argv<T & StorageArgs> {
  return y.option('storage', {
    type: 'string',
    default: DEFAULT_STORAGE,
    describe: 'where the studies are (Optuna-compatible): an SQLite file (a path or sqlite:///path) or a PostgreSQL database (postgresql://user:password@host:5432/db)',
  }) as unknown as Argv<T & StorageArgs>;
}

/**
 * Opens the studies of `--storage` for a reading command (`write` for those that change them).
 * A missing file is an error, never created; any store URL works (resolveStorage).
 */
export function openStorage(storage: string, options: { write?: boolean; cacheKiB?: number } = {}): Storage {
  if (!isPostgresUrl(storage)) {
    const path = sqlitePathOf(storage) ?? storage;
    if (!existsSync(path)) {
      throw new UsageError(`no study file at '${path}': give the file with --storage, or create one with 'studyopt optimize --storage ${path}'`);
    }
  }
  return resolveStorage(storageUrl(storage), { readonly: !options.write, ...(options.cacheKiB !== undefined ? { cacheKiB: options.cacheKiB } : {}) });
}

/** The store URL of `--storage`: a PostgreSQL URL as given, anything else an SQLite file (a plain path whatever its name ends with). */
export function storageUrl(storage: string): string {
  return isPostgresUrl(storage) ? storage : `sqlite:///${sqlitePathOf(storage) ?? storage}`;
}

/** Where a store's studies are, for messages. */
export function whereOf(storage: Storage): string {
  return storage.where ?? 'memory';
}

/** The id of a study by name; an unknown name lists the studies that exist. */
export function requireStudy(storage: Storage, name: string): number {
  const id = storage.findStudyId(name);
  if (id !== null) return id;
  const names = storage.getAllStudies().map((s) => s.studyName);
  throw new UsageError(
    `no study named '${name}' in '${whereOf(storage)}'; ${names.length ? `it has: ${names.join(', ')}` : 'it has no studies'}`,
  );
}

/**
 * The name of the study a reading command works on (best, trials, report, export): the one given
 * with --study-name, or, when none is given, the file's only study. A file with several studies
 * needs the name (the message lists them); an empty file says so. `delete` does not use this: it
 * destroys data, so it always asks for the name.
 */
export function resolveStudyName(storage: Storage, name?: string): string {
  if (name !== undefined) return name;
  const names = storage.getAllStudies().map((s) => s.studyName);
  if (names.length === 1) return names[0];
  if (names.length === 0) throw new UsageError(`'${whereOf(storage)}' has no studies yet: run 'studyopt optimize --storage ${whereOf(storage)}' to make one`);
  const shown = names.length > 20 ? `${names.slice(0, 20).join(', ')}, ... (${names.length - 20} more: see 'studyopt studies')` : names.join(', ');
  throw new UsageError(`'${whereOf(storage)}' holds ${names.length} studies: choose one with --study-name (${shown})`);
}

/** {@link resolveStudyName}, then the study's id: `{ id, name }`. */
export function resolveStudy(storage: Storage, name?: string): { id: number; name: string } {
  const resolved = resolveStudyName(storage, name);
  return { id: requireStudy(storage, resolved), name: resolved };
}

/**
 * `--trial N` of a study, or its best trial when N is not given (backtest, verify); a bad number,
 * a missing trial or a study without a feasible trial is a UsageError naming the fix.
 */
export function trialOrBest(storage: Storage, id: number, name: string, trialNumber: number | undefined): FrozenTrial {
  if (trialNumber === undefined) {
    const best = storage.getBestTrial(id);
    if (!best) throw new UsageError(`study '${name}' has no completed feasible trial yet; name one with --trial N`);
    return best;
  }
  if (!(Number.isInteger(trialNumber) && trialNumber >= 0)) throw new UsageError(`--trial must be a trial number (an integer >= 0), but got ${trialNumber}`);
  const trial = storage.getAllTrials(id).find((t) => t.number === trialNumber);
  if (!trial) throw new UsageError(`study '${name}' has no trial ${trialNumber} (it has ${storage.getNTrials(id)} trials, numbered from 0)`);
  return trial;
}

export const STUDY_NAME_OPTION = {
  type: 'string',
  describe: 'the study (may be left out when the file holds only one)',
} as const;

export const STATE_CHOICES = ['complete', 'pruned', 'fail', 'running', 'waiting'] as const;

export function parseState(s: string | undefined): TrialState | undefined {
  return s === undefined ? undefined : (s.toUpperCase() as TrialState);
}

export function metricNames(systemAttrs: Record<string, unknown>, nObjectives: number): string[] | null {
  const names = systemAttrs['study:metric_names'];
  return Array.isArray(names) && names.length === nObjectives && names.every((n) => typeof n === 'string') ? (names as string[]) : null;
}

export function formatDate(d: Date | null): string | null {
  return d === null ? null : formatLocal(d);
}

/** A trial's duration column: seconds from start to completion (epoch ms; NaN when unset), null without both. */
export function durationSeconds(startMs: number, completeMs: number): number | null {
  return Number.isNaN(startMs) || Number.isNaN(completeMs) ? null : (completeMs - startMs) / 1000;
}

/** The value columns of a study's rows: value, or values_0.., or values_<metric name>. */
export function valueColumnNames(directions: readonly StudyDirection[], names: string[] | null): string[] {
  return names ? names.map((n) => `values_${n}`) : directions.length === 1 ? ['value'] : directions.map((_, i) => `values_${i}`);
}

/**
 * Optuna's `trials_dataframe` columns, in its order: number, the value columns, datetime_start,
 * datetime_complete, duration (seconds), params_<name>, user_attrs_<key>, system_attrs_<key>
 * (each sorted), state.
 */
export function trialColumnNames(valueColumns: readonly string[], params: Iterable<string>, user: Iterable<string>, system: Iterable<string>): string[] {
  return [
    'number',
    ...valueColumns,
    'datetime_start',
    'datetime_complete',
    'duration',
    ...[...params].sort().map((k) => `params_${k}`),
    ...[...user].sort().map((k) => `user_attrs_${k}`),
    ...[...system].sort().map((k) => `system_attrs_${k}`),
    'state',
  ];
}

/** One flat row per trial, in {@link trialColumnNames}. */
export function trialRows(trials: readonly FrozenTrial[], directions: readonly StudyDirection[], names: string[] | null): { columns: string[]; rows: Record<string, unknown>[] } {
  const valueColumns = valueColumnNames(directions, names);
  const params = new Set<string>();
  const user = new Set<string>();
  const system = new Set<string>();
  for (const t of trials) {
    for (const k of Object.keys(t.params)) params.add(k);
    for (const k of Object.keys(t.userAttrs)) user.add(k);
    for (const k of Object.keys(t.systemAttrs)) system.add(k);
  }
  const columns = trialColumnNames(valueColumns, params, user, system);
  const rows = trials.map((t) => {
    const row: Record<string, unknown> = { number: t.number };
    valueColumns.forEach((c, i) => (row[c] = t.values ? t.values[i] : null));
    row.datetime_start = formatDate(t.datetimeStart);
    row.datetime_complete = formatDate(t.datetimeComplete);
    row.duration = durationSeconds(t.datetimeStart?.getTime() ?? NaN, t.datetimeComplete?.getTime() ?? NaN);
    for (const k of params) row[`params_${k}`] = k in t.params ? t.params[k] : null;
    for (const k of user) row[`user_attrs_${k}`] = k in t.userAttrs ? t.userAttrs[k] : null;
    for (const k of system) row[`system_attrs_${k}`] = k in t.systemAttrs ? t.systemAttrs[k] : null;
    row.state = t.state;
    return row;
  });
  return { columns, rows };
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf') : String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header line. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** JSON that keeps ±Infinity and NaN readable (as strings), since JSON has no such numbers. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

/** A cell of a text table: numbers to 6 significant digits, objects as JSON, nothing for null. */
function cellText(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : typeof v === 'number' ? formatNumber(v) : String(v);
}

/** How wide each column of a text table is: its header or its widest cell. */
function columnWidths(columns: readonly string[], rows: readonly Record<string, unknown>[]): number[] {
  return columns.map((c) => rows.reduce((w, r) => Math.max(w, cellText(r[c]).length), c.length));
}

/** A plain text table with aligned columns. */
export function toTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(r[c])));
  const widths = columnWidths(columns, rows);
  const line = (vals: string[]): string => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return `${[line([...columns]), ...cells.map(line)].join('\n')}\n`;
}

/**
 * The columns of a text table that fit in `width` characters: whole columns, taken in the given
 * order (the caller's priority) until the next one would not fit; the first `keep` columns are
 * always shown, even when they alone are wider.
 */
export function fitColumns(columns: readonly string[], rows: readonly Record<string, unknown>[], width: number, keep = 1): { shown: string[]; hidden: string[] } {
  const widths = columnWidths(columns, rows);
  let used = 0;
  let n = 0;
  for (; n < columns.length; n++) {
    const next = used + (n > 0 ? 2 : 0) + widths[n];
    if (n >= keep && next > width) break;
    used = next;
  }
  return { shown: columns.slice(0, n), hidden: columns.slice(n) };
}

/** The width a text table should fit by default: the terminal's, or 120 when stdout is not a terminal. */
export function outputWidth(): number {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 120;
}

const COLUMN_PREFIXES = ['params_', 'user_attrs_', 'values_', 'system_attrs_'] as const;

/**
 * A column named on the command line (--columns, --sort): its full name as the table shows it
 * (`params_window`), or the name without its `params_`, `user_attrs_`, `values_` or
 * `system_attrs_` prefix (`window`). An unknown or ambiguous name is a UsageError that lists the
 * columns.
 */
export function resolveColumn(name: string, columns: readonly string[], flag: string): string {
  if (columns.includes(name)) return name;
  const matches = COLUMN_PREFIXES.map((p) => `${p}${name}`).filter((c) => columns.includes(c));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new UsageError(`${flag}: '${name}' could be ${matches.join(' or ')}: give the full name`);
  throw new UsageError(
    `${flag}: no column '${name}'; the columns are: ${columns.join(', ')} (the ${COLUMN_PREFIXES.join(', ')} prefixes may be left out)`,
  );
}

/** The columns of a comma-separated --columns list, in its order, each once. */
export function selectColumns(list: string, columns: readonly string[]): string[] {
  const names = list.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new UsageError(`--columns: name at least one column, e.g. --columns number,${columns[1] ?? 'state'}`);
  return [...new Set(names.map((n) => resolveColumn(n, columns, '--columns')))];
}

/** Rows projected onto some columns, in their order (for --json with --columns). */
export function pickColumns(rows: readonly Record<string, unknown>[], columns: readonly string[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])));
}

/**
 * Orders two cells of one column: numbers by value, then text, then anything else by its JSON;
 * empty cells (null, NaN) are not ordered here: see {@link isEmptyCell}.
 */
export function compareCells(a: unknown, b: unknown): number {
  const rank = (v: unknown): number => (typeof v === 'number' ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'string' ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0 || ra === 1) return Number(a) - Number(b);
  const ta = ra === 2 ? (a as string) : JSON.stringify(a);
  const tb = rb === 2 ? (b as string) : JSON.stringify(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** A cell a sort puts last whichever the order: no value, or NaN. */
export function isEmptyCell(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(6)).toString();
}
