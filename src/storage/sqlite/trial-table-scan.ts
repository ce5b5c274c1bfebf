/**
 * Reads every trial of a study in a compact-layout SQLite file as a TrialTable (trial-table.ts),
 * for `studyopt export --format parquet` of millions of trials.
 *
 * Why it looks like this: better-sqlite3 costs about 0.3 µs for each row and value it hands to
 * JavaScript, and an expanded-grid trial is about 35 rows (11 parameters, 18 metrics, values,
 * system attributes): reading them one by one takes longer than writing the Parquet file. So
 * SQLite aggregates each child table, a chunk of trials at a time, into two strings: the values
 * as one JSON array (SQLite 3.53 renders a REAL with the digits that read back to the same
 * double), and each row's identity (trial, key ids) as characters, one UTF-16 unit each. The
 * chunks are ranges of trial ids; the rows of a chunk are found by rowid range (child rows are
 * written trial after trial), which SQLite scans in order, instead of an index walk that fetches
 * each row by rowid. Rows of other studies inside a range are skipped.
 */
import { toExternal } from '../../distributions.js';
import type { Distribution } from '../../distributions.js';
import type { SqlConnection } from '../sql/connection.js';
import { type DistributionCache, decodeValue, localToEpochMs, parsePyJson, stateFromDb } from '../sql/encoding.js';
import { type TrialTable, type TrialTablePart, TrialTableBuilder, concatTrialTables, partRows, trialTableOf } from '../trial-table.js';

/** Trial ids per chunk: an id's offset + 1 is one char() below the surrogates (0xD800). */
const CHUNK = 50_000;
/** Key ids are text ids of studyopt_texts; char() of one at or above this would not be one unit. */
const MAX_CHAR_ID = 0xd7ff;

const VALUE_TYPES = ['', 'FINITE', 'INF_POS', 'INF_NEG', 'NAN'];
const VALUE_TYPE_CODE = "CASE value_type WHEN 'FINITE' THEN 1 WHEN 'INF_POS' THEN 2 WHEN 'INF_NEG' THEN 3 ELSE 4 END";

/** A child table read as (trial, key ids..., value) rows. */
interface ChildTable {
  readonly table: string;
  /** Integer expressions that identify the row within its trial, each below MAX_CHAR_ID. */
  readonly keys: readonly string[];
  /** An expression whose text is the row's value in JSON. */
  readonly value: string;
}

const VALUES: ChildTable = { table: 'trial_values', keys: ['objective + 1', VALUE_TYPE_CODE], value: 'value' };
const PARAMS: ChildTable = { table: 'studyopt_trial_params', keys: ['name_id', 'distribution_id'], value: 'param_value' };
const USER_ATTRS: ChildTable = { table: 'studyopt_trial_user_attributes', keys: ['key_id'], value: 'value_json' };

/**
 * The rowids of a child table's rows of trials [lo, hi] lie between these (one walk of the
 * (trial_id, ...) index); null when there are none. Rows are written trial after trial, but not
 * strictly in trial order (batches finish out of order), so the range is taken, not guessed.
 */
function rowidRange(db: SqlConnection, table: string, lo: number, hi: number): [number, number] | null {
  const [first, last] = db.prepare(`SELECT min(rowid), max(rowid) FROM ${table} WHERE trial_id BETWEEN ? AND ?`).raw().get(lo, hi) as [number | null, number | null];
  return first === null || last === null ? null : [first, last];
}

/** Calls `visit(offset, keys, value)` for each row of `child` whose trial id is in [lo, hi]. */
function scanChild(db: SqlConnection, child: ChildTable, lo: number, hi: number, visit: (offset: number, keys: string, at: number, value: unknown) => void): void {
  const range = rowidRange(db, child.table, lo, hi);
  if (range === null) return;
  const [first, last] = range;
  const width = child.keys.length + 1;
  const [ids, values] = db
    .prepare(
      `SELECT group_concat(char(trial_id - ? + 1, ${child.keys.join(', ')}), ''), '[' || group_concat(ifnull(${child.value}, 'null')) || ']' ` +
        // `+trial_id`: filter on it, but scan by rowid (an index walk would fetch each row by rowid).
        `FROM ${child.table} WHERE rowid BETWEEN ? AND ? AND +trial_id BETWEEN ? AND ?`,
    )
    .raw()
    .get(lo, first, last, lo, hi) as [string, string];
  const parsed = parsePyJson(values) as unknown[];
  for (let i = 0; i < parsed.length; i++) visit(ids.charCodeAt(i * width) - 1, ids, i * width + 1, parsed[i]);
}

/** A text-keyed child table (Optuna's trial_system_attributes): one group per key. */
function scanKeyed(db: SqlConnection, table: string, lo: number, hi: number, visit: (offset: number, key: string, value: unknown) => void): void {
  const range = rowidRange(db, table, lo, hi);
  if (range === null) return;
  const [first, last] = range;
  const groups = db
    .prepare(
      `SELECT "key", group_concat(char(trial_id - ? + 1), ''), '[' || group_concat(ifnull(value_json, 'null')) || ']' ` +
        `FROM ${table} WHERE rowid BETWEEN ? AND ? AND +trial_id BETWEEN ? AND ? GROUP BY "key"`,
    )
    .raw()
    .all(lo, first, last, lo, hi) as [string, string, string][];
  for (const [key, ids, values] of groups) {
    const parsed = parsePyJson(values) as unknown[];
    for (let i = 0; i < parsed.length; i++) visit(ids.charCodeAt(i) - 1, key, parsed[i]);
  }
}

/** What every chunk of one scan shares. */
interface Scan {
  readonly db: SqlConnection;
  readonly studyId: number;
  readonly nObjectives: number;
  readonly dists: DistributionCache;
  readonly texts: ReadonlyMap<number, string>;
  readonly paramOf: Map<number, { name: string; d: Distribution }>;
  /** Row in the chunk's table by trial id offset (-1: not a trial of the study). */
  readonly rowOf: Int32Array;
}

// A naive local time as the ms it would be in UTC: its seconds by SQLite, its milliseconds
// truncated from the text as parseLocal does ('.5' is 500 ms, microseconds are dropped).
const naiveMs = (column: string): string => `ifnull(unixepoch(${column}) * 1000 + CAST(substr(${column} || '000', 21, 3) AS INTEGER), 'null')`;
const TRIALS_SQL =
  `SELECT '[' || group_concat((trial_id - ?) || ',' || number || ',"' || state || '",' || ${naiveMs('datetime_start')} || ',' || ${naiveMs('datetime_complete')}) || ']' ` +
  // `+study_id`: scan by rowid, in trial id order (a study_id index would order by state).
  'FROM trials WHERE trial_id BETWEEN ? AND ? AND +study_id = ?';

/** The study's trials with ids in [lo, hi] as a table, or null when their numbers are not in id order. */
function scanChunk(scan: Scan, lo: number, hi: number): TrialTable | null {
  const { db, rowOf, texts, nObjectives } = scan;
  rowOf.fill(-1);
  const trials = (parsePyJson(db.prepare(TRIALS_SQL).pluck().get(lo, lo, hi, scan.studyId) as string | null) ?? []) as (number | string | null)[];
  const size = trials.length / 5;
  const table = new TrialTableBuilder(size, nObjectives);
  const { number, state, datetimeStart, datetimeComplete, values, params, userAttrs, systemAttrs } = table;
  for (let row = 0, i = 0; row < size; row++, i += 5) {
    number[row] = trials[i + 1] as number;
    if (row > 0 && number[row] < number[row - 1]) return null;
    rowOf[trials[i] as number] = row;
    state[row] = stateFromDb(trials[i + 2] as string);
    datetimeStart[row] = trials[i + 3] === null ? NaN : localToEpochMs(trials[i + 3] as number);
    datetimeComplete[row] = trials[i + 4] === null ? NaN : localToEpochMs(trials[i + 4] as number);
  }
  scanChild(db, VALUES, lo, hi, (offset, ids, at, value) => {
    const r = rowOf[offset];
    const objective = ids.charCodeAt(at) - 1;
    if (r >= 0 && objective < nObjectives) values[objective].set(r, decodeValue(value as number | null, VALUE_TYPES[ids.charCodeAt(at + 1)]));
  });
  scanChild(db, PARAMS, lo, hi, (offset, ids, at, internal) => {
    const r = rowOf[offset];
    if (r < 0) return;
    const nameId = ids.charCodeAt(at);
    const distributionId = ids.charCodeAt(at + 1);
    const key = nameId * 0x10000 + distributionId;
    let p = scan.paramOf.get(key);
    if (p === undefined) {
      p = { name: texts.get(nameId)!, d: scan.dists.parse(texts.get(distributionId)!) };
      scan.paramOf.set(key, p);
    }
    params.set(p.name, r, toExternal(p.d, internal as number));
  });
  scanChild(db, USER_ATTRS, lo, hi, (offset, ids, at, value) => {
    const r = rowOf[offset];
    if (r >= 0) userAttrs.set(texts.get(ids.charCodeAt(at))!, r, value);
  });
  scanKeyed(db, 'trial_system_attributes', lo, hi, (offset, key, value) => {
    const r = rowOf[offset];
    if (r >= 0) systemAttrs.set(key, r, value);
  });
  return table.build();
}

/**
 * The study's trials (or part `part` of them: a range of trial ids) as a table, or null when this
 * file cannot be read this way (ids too large for one character, or trial ids not in number
 * order); the caller then reads FrozenTrials. Run it inside a read transaction, so that all
 * chunks see one state of the file.
 */
export function scanTrialTable(
  db: SqlConnection,
  studyId: number,
  nObjectives: number,
  dists: DistributionCache,
  part: TrialTablePart = { index: 0, of: 1 },
  chunk = CHUNK,
): TrialTable | null {
  if (chunk > CHUNK) throw new RangeError(`chunk ${chunk} > ${CHUNK}: offsets would not be one character`);
  const maxText = db.prepare('SELECT max(text_id) FROM studyopt_texts').pluck().get() as number | null;
  if ((maxText ?? 0) > MAX_CHAR_ID) return null;
  const texts = new Map(db.prepare('SELECT text_id, text FROM studyopt_texts').raw().all() as [number, string][]);
  // Two queries: SQLite answers a lone min() or max() from the study_id index in one seek each.
  const firstId = db.prepare('SELECT min(trial_id) FROM trials WHERE study_id = ?').pluck().get(studyId) as number | null;
  const lastId = db.prepare('SELECT max(trial_id) FROM trials WHERE study_id = ?').pluck().get(studyId) as number | null;
  const scan: Scan = { db, studyId, nObjectives, dists, texts, paramOf: new Map(), rowOf: new Int32Array(chunk) };
  // The part's trial ids: an equal share of the study's id range.
  const span = firstId === null || lastId === null ? 0 : lastId - firstId + 1;
  const [from, to] = partRows(span, part);
  const tables: TrialTable[] = [];
  for (let lo = (firstId ?? 0) + from; lo < (firstId ?? 0) + to; lo += chunk) {
    const t = scanChunk(scan, lo, Math.min(lo + chunk, (firstId ?? 0) + to) - 1);
    if (t === null) return null;
    const previous = tables.at(-1);
    if (previous && previous.size > 0 && t.size > 0 && t.number[0] < previous.number[previous.size - 1]) return null;
    tables.push(t);
  }
  return tables.length === 0 ? trialTableOf([], nObjectives) : concatTrialTables(tables, nObjectives);
}
