/**
 * Row encodings, as Optuna (Python) writes them, so that a file written by studyopt reads the same
 * in Optuna and compares equal, row by row, with one Optuna wrote:
 * - JSON in `value_json` and `distribution_json` as Python's `json.dumps` writes it (", " and ": "
 *   separators, non-ASCII escaped, NaN and Infinity as bare words, floats in `repr` form);
 * - enums as member names; ±inf (and NaN for intermediate values) as NULL plus a value type;
 * - datetimes as naive local time `YYYY-MM-DD HH:MM:SS.ffffff` (Optuna 4's `datetime.now()`);
 *   heartbeats as naive UTC (SQLite's clock, as Optuna's `func.now()`).
 */
import { type Distribution, distributionFromJson, distributionsEqual } from '../../distributions.js';
import type { StudyDirection, TrialState } from '../../frozen-trial.js';

// ----- Python-compatible JSON -----

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e16) {
    // Both languages print the shortest round-trip digits, and JavaScript uses no exponent in
    // this range either: only Python's ".0" on integral values differs.
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, expPart] = x.toExponential().split('e');
  const exp = Number(expPart);
  if (exp < -4 || exp >= 16) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exp));
  return s.includes('.') ? s : `${s}.0`;
}

function pyString(s: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters as Python does; then
  // escape non-ASCII like ensure_ascii=True.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `json.dumps(value)` as Python writes it. JavaScript has one number type, so integers are written
 * as integers; pass `floatKeys` to write the numbers under those object keys as Python floats
 * (Optuna's FloatDistribution attributes are floats: `"low": -5.0`).
 */
export function pyJson(value: unknown, floatKeys?: ReadonlySet<string>, asFloat = false): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) return pyFloatRepr(value);
      return asFloat || !Number.isInteger(value) || Object.is(value, -0) ? pyFloatRepr(value) : String(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return pyString(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => pyJson(v, floatKeys)).join(', ')}]`;
      if (value instanceof Date) return pyString(value.toISOString());
      if (value instanceof Map) return pyJson(Object.fromEntries(value), floatKeys);
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        parts.push(`${pyString(k)}: ${pyJson(v, floatKeys, floatKeys?.has(k) ?? false)}`);
      }
      return `{${parts.join(', ')}}`;
    }
    default:
      return pyString(String(value));
  }
}

/** Parses JSON written by Python, which may hold the bare words NaN, Infinity and -Infinity. */
export function parsePyJson(text: string | null): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    // Replace the bare words outside strings by sentinels, then revive them.
    const marked = text.replace(/"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g, (m, word: string | undefined) =>
      word === undefined ? m : `{"__studyopt_float__":"${word}"}`,
    );
    return JSON.parse(marked, (_k, v) => {
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.__studyopt_float__ === 'string') {
        return v.__studyopt_float__ === 'NaN' ? NaN : v.__studyopt_float__ === 'Infinity' ? Infinity : -Infinity;
      }
      return v;
    });
  }
}

const FLOAT_DISTRIBUTION_KEYS = new Set(['low', 'high', 'step']);

/** Optuna's `distribution_to_json`, key order and float formatting included. */
export function distributionJson(d: Distribution): string {
  switch (d.type) {
    case 'float':
      return pyJson({ name: 'FloatDistribution', attributes: { step: d.step, low: d.low, high: d.high, log: d.log } }, FLOAT_DISTRIBUTION_KEYS);
    case 'int':
      return pyJson({ name: 'IntDistribution', attributes: { log: d.log, step: d.step, low: d.low, high: d.high } });
    case 'categorical':
      return pyJson({ name: 'CategoricalDistribution', attributes: { choices: d.choices } });
    case 'ordinal':
      // Optuna reads this as a CategoricalDistribution (the index is the internal value in both) and ignores "ordered".
      return pyJson({ name: 'CategoricalDistribution', attributes: { choices: d.values }, ordered: true });
  }
}

/** Parses distribution JSON, sharing one object per distinct text (most trials share their distributions). */
export class DistributionCache {
  private readonly byText = new Map<string, Distribution>();
  private readonly byObject = new WeakMap<Distribution, string>();
  private readonly byKey = new Map<string, string>();
  private readonly byName = new Map<string, { d: Distribution; text: string }>();

  parse(text: string): Distribution {
    let d = this.byText.get(text);
    if (!d) {
      d = distributionFromJson(parsePyJson(text) as { name: string; attributes: Record<string, unknown> });
      this.byText.set(text, d);
      this.byObject.set(d, text);
    }
    return d;
  }

  /**
   * The text of parameter `name`'s distribution. Trials of a study mostly suggest each name with
   * the same distribution, so the last one per name is checked first (no string building).
   */
  textFor(name: string, d: Distribution): string {
    const last = this.byName.get(name);
    if (last !== undefined && (last.d === d || distributionsEqual(last.d, d))) return last.text;
    const text = this.text(d);
    this.byName.set(name, { d, text });
    return text;
  }

  text(d: Distribution): string {
    let t = this.byObject.get(d);
    if (t === undefined) {
      // Trials build a new distribution object per suggest: key the cache by content too.
      const key = contentKey(d);
      t = this.byKey.get(key);
      if (t === undefined) {
        t = distributionJson(d);
        this.byKey.set(key, t);
      }
      this.byObject.set(d, t);
    }
    return t;
  }
}

function contentKey(d: Distribution): string {
  switch (d.type) {
    case 'float':
      return `f|${d.low}|${d.high}|${d.log}|${d.step}`;
    case 'int':
      return `i|${d.low}|${d.high}|${d.log}|${d.step}`;
    case 'categorical':
      return `c|${JSON.stringify(d.choices)}`;
    case 'ordinal':
      return `o|${JSON.stringify(d.values)}`;
  }
}

// ----- enums -----

export function directionToDb(d: StudyDirection): string {
  return d === 'maximize' ? 'MAXIMIZE' : 'MINIMIZE';
}

/** Optuna also has NOT_SET (a study created without a direction), which behaves as minimize. */
export function directionFromDb(s: string): StudyDirection {
  return s === 'MAXIMIZE' ? 'maximize' : 'minimize';
}

const STATES: ReadonlySet<string> = new Set(['RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING']);

export function stateFromDb(s: string): TrialState {
  if (!STATES.has(s)) throw new Error(`unknown trial state '${s}' in the database`);
  return s as TrialState;
}

/** [value, value_type] for trial_values: ±inf is NULL with INF_POS/INF_NEG. */
export function encodeValue(v: number): [number | null, string] {
  if (v === Infinity) return [null, 'INF_POS'];
  if (v === -Infinity) return [null, 'INF_NEG'];
  if (Number.isNaN(v)) return [null, 'NAN'];
  return [v, 'FINITE'];
}

export function decodeValue(value: number | null, type: string): number {
  switch (type) {
    case 'INF_POS':
      return Infinity;
    case 'INF_NEG':
      return -Infinity;
    case 'NAN':
      return NaN;
    default:
      return value ?? NaN;
  }
}

// ----- datetimes -----

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Naive local time with microseconds, as Optuna 4 writes `datetime.now()`. */
export function formatLocal(d: Date): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`
  );
}

/** Naive UTC with microseconds (heartbeats: Optuna uses the database clock, which is UTC in SQLite). */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000`
  );
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;

function parts(s: string): number[] | null {
  const m = DATETIME_RE.exec(s);
  if (!m) return null;
  const frac = m[7] ? Number(m[7].padEnd(6, '0')) / 1000 : 0;
  return [Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac];
}

/** A naive local datetime string to a Date (null stays null). */
export function parseLocal(s: string | null): Date | null {
  if (s === null || s === undefined) return null;
  const p = parts(s);
  if (!p) return null;
  return new Date(localToEpochMs(Date.UTC(p[0], p[1], p[2], p[3], p[4], p[5], Math.floor(p[6]))));
}

const HOUR_MS = 3_600_000;
const localOffsets = new Map<number, number>();

/**
 * A naive local time, given as the epoch milliseconds it would be in UTC, to the instant it
 * names in this process's time zone, as `new Date(y, m, d, h, ...)` reads it. Zones change their
 * offset on the hour, so the offset of each naive hour is asked of Date once and kept: exports
 * read millions of times this way (trial-table scans take times from SQLite as naive numbers).
 */
export function localToEpochMs(naiveMs: number): number {
  const hour = Math.floor(naiveMs / HOUR_MS);
  let offset = localOffsets.get(hour);
  if (offset === undefined) {
    const d = new Date(hour * HOUR_MS);
    offset = new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()).getTime() - hour * HOUR_MS;
    if (localOffsets.size > 100_000) localOffsets.clear();
    localOffsets.set(hour, offset);
  }
  return naiveMs + offset;
}

/** A naive UTC datetime string to epoch milliseconds. */
export function parseUtcMs(s: string): number {
  const p = parts(s);
  if (!p) return NaN;
  return Date.UTC(p[0], p[1], p[2], p[3], p[4], p[5], Math.floor(p[6]));
}
