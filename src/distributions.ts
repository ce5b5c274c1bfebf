/**
 * Search-space distributions: what a parameter may take, and its internal numeric form.
 *
 * Every parameter has an *internal representation*, a number, which is what storages keep and
 * samplers compute with (Optuna's `to_internal_repr`): floats and ints are themselves,
 * categorical and ordinal parameters are the index of the chosen value. Ordinal distributions
 * are ordered numeric value lists (e.g. trade windows 40, 60, 90, 120 minutes): numeric samplers
 * treat their index as an ordered coordinate, where a categorical would be unordered.
 */
import { UsageError } from './errors.js';

export type CategoricalChoice = string | number | boolean | null;
export type ParamValue = CategoricalChoice;

export interface FloatDistribution {
  readonly type: 'float';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number | null;
}

export interface IntDistribution {
  readonly type: 'int';
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly step: number;
}

export interface CategoricalDistribution {
  readonly type: 'categorical';
  readonly choices: readonly CategoricalChoice[];
}

/** An ordered list of numeric values, strictly increasing. Internal value: the index. */
export interface OrdinalDistribution {
  readonly type: 'ordinal';
  readonly values: readonly number[];
}

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution | OrdinalDistribution;

/** A search space: parameter name to distribution. */
export type SearchSpace = Record<string, Distribution>;

export interface NumericOptions {
  log?: boolean;
  step?: number | null;
}

// Relative tolerance for "does the step divide the range".
const STEP_EPS = 1e-8;

function fail(name: string | undefined, message: string): never {
  throw new UsageError(name ? `parameter '${name}': ${message}` : message);
}

export function floatDistribution(low: number, high: number, options: NumericOptions = {}, name?: string): FloatDistribution {
  const log = options.log ?? false;
  const step = options.step ?? null;
  if (!Number.isFinite(low) || !Number.isFinite(high)) fail(name, `low and high must be finite numbers, but got (low=${low}, high=${high})`);
  if (low > high) fail(name, `\`low <= high\` must hold, but got (low=${low}, high=${high})`);
  if (log && step !== null) fail(name, 'a log distribution cannot have a step: drop `step` or `log`');
  if (log && low <= 0) fail(name, `\`low > 0\` must hold for a log distribution, but got (low=${low}, high=${high})`);
  if (step !== null) {
    if (!(step > 0) || !Number.isFinite(step)) fail(name, `\`step > 0\` must hold, but got step=${step}`);
    checkStepFits(name, low, high, step);
  }
  return { type: 'float', low, high, log, step };
}

export function intDistribution(low: number, high: number, options: NumericOptions = {}, name?: string): IntDistribution {
  const log = options.log ?? false;
  const step = options.step ?? 1;
  if (!Number.isInteger(low) || !Number.isInteger(high)) fail(name, `low and high must be integers, but got (low=${low}, high=${high})`);
  if (low > high) fail(name, `\`low <= high\` must hold, but got (low=${low}, high=${high})`);
  if (!Number.isInteger(step) || step < 1) fail(name, `\`step\` must be a positive integer, but got step=${step}`);
  if (log && step !== 1) fail(name, 'a log distribution cannot have a step other than 1: drop `step` or `log`');
  if (log && low < 1) fail(name, `\`low >= 1\` must hold for a log int distribution, but got (low=${low}, high=${high})`);
  checkStepFits(name, low, high, step);
  return { type: 'int', low, high, log, step };
}

export function categoricalDistribution(choices: readonly CategoricalChoice[], name?: string): CategoricalDistribution {
  if (!Array.isArray(choices) || choices.length === 0) fail(name, 'categorical choices must be a non-empty list');
  for (const c of choices) {
    const t = typeof c;
    if (!(c === null || t === 'string' || t === 'number' || t === 'boolean')) {
      fail(name, `categorical choices must be strings, numbers, booleans or null, but got ${JSON.stringify(c) ?? String(c)}`);
    }
    if (t === 'number' && !Number.isFinite(c as number)) fail(name, `categorical choices must be finite, but got ${c}`);
  }
  const seen = new Set(choices.map((c) => JSON.stringify(c)));
  if (seen.size !== choices.length) fail(name, `categorical choices must be distinct, but got ${JSON.stringify(choices)}`);
  return { type: 'categorical', choices: [...choices] };
}

export function ordinalDistribution(values: readonly number[], name?: string): OrdinalDistribution {
  if (!Array.isArray(values) || values.length === 0) fail(name, 'ordinal values must be a non-empty list of numbers');
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) fail(name, `ordinal values must be finite numbers, but got ${JSON.stringify(values[i])}`);
    if (i > 0 && !(values[i] > values[i - 1])) fail(name, `ordinal values must be strictly increasing, but got ${JSON.stringify(values)}`);
  }
  return { type: 'ordinal', values: [...values] };
}

function checkStepFits(name: string | undefined, low: number, high: number, step: number): void {
  const n = (high - low) / step;
  if (Math.abs(n - Math.round(n)) > STEP_EPS * Math.max(1, Math.abs(n))) {
    const fitted = low + Math.floor(n + STEP_EPS) * step;
    fail(name, `step ${step} does not divide the range [${low}, ${high}]: use high=${roundNice(fitted)} or a step that divides ${roundNice(high - low)}`);
  }
}

function roundNice(x: number): number {
  return Number.parseFloat(x.toPrecision(12));
}

/**
 * The k-th value of a stepped float, `low + k * step`, rounded to 12 significant digits so that
 * 0.05 * 3 is 0.15 and not 0.15000000000000002 (grid values then compare equal everywhere).
 */
export function steppedFloat(low: number, step: number, k: number): number {
  return roundNice(low + k * step);
}

/** Number of distinct values, or Infinity for a continuous float. */
export function cardinality(d: Distribution): number {
  switch (d.type) {
    case 'float':
      return d.step === null ? (d.low === d.high ? 1 : Infinity) : Math.round((d.high - d.low) / d.step) + 1;
    case 'int':
      return Math.round((d.high - d.low) / d.step) + 1;
    case 'categorical':
      return d.choices.length;
    case 'ordinal':
      return d.values.length;
  }
}

export function isSingle(d: Distribution): boolean {
  return cardinality(d) === 1;
}

/** The finite list of values a distribution takes (for grids). Throws for continuous floats. */
export function enumerateValues(d: Distribution, name?: string): ParamValue[] {
  switch (d.type) {
    case 'float': {
      if (d.step === null && d.low !== d.high) fail(name, 'a continuous float has no finite list of values: give it a `step` for a grid');
      const n = cardinality(d);
      return Array.from({ length: n }, (_, i) => (i === n - 1 ? d.high : steppedFloat(d.low, d.step ?? 0, i)));
    }
    case 'int': {
      const n = cardinality(d);
      return Array.from({ length: n }, (_, i) => d.low + i * d.step);
    }
    case 'categorical':
      return [...d.choices];
    case 'ordinal':
      return [...d.values];
  }
}

/** External value to internal number. Throws if the value is not one the distribution can take. */
export function toInternal(d: Distribution, value: ParamValue, name?: string): number {
  switch (d.type) {
    case 'float':
    case 'int':
      if (typeof value !== 'number') fail(name, `expected a number, but got ${JSON.stringify(value)}`);
      return value;
    case 'categorical': {
      const i = choiceIndex(d.choices, value);
      if (i < 0) fail(name, `${JSON.stringify(value)} is not one of the choices ${JSON.stringify(d.choices)}`);
      return i;
    }
    case 'ordinal': {
      const i = typeof value === 'number' ? d.values.indexOf(value) : -1;
      if (i < 0) fail(name, `${JSON.stringify(value)} is not one of the values ${JSON.stringify(d.values)}`);
      return i;
    }
  }
}

/** Internal number to external value. */
export function toExternal(d: Distribution, internal: number): ParamValue {
  switch (d.type) {
    case 'float':
      return internal;
    case 'int':
      return Math.round(internal);
    case 'categorical':
      return d.choices[Math.round(internal)];
    case 'ordinal':
      return d.values[Math.round(internal)];
  }
}

function choiceIndex(choices: readonly CategoricalChoice[], value: ParamValue): number {
  const i = choices.indexOf(value);
  if (i >= 0) return i;
  // NaN-free and JSON-equal lookups (e.g. 1 vs 1.0 after a JSON round trip are already ===).
  return -1;
}

/** Does the distribution contain this internal value? */
export function containsInternal(d: Distribution, internal: number): boolean {
  if (typeof internal !== 'number' || Number.isNaN(internal)) return false;
  switch (d.type) {
    case 'float': {
      if (internal < d.low || internal > d.high) return false;
      if (d.step === null) return true;
      const k = (internal - d.low) / d.step;
      return Math.abs(k - Math.round(k)) < 1e-6;
    }
    case 'int': {
      if (internal < d.low || internal > d.high || !Number.isInteger(internal)) return false;
      return (internal - d.low) % d.step === 0;
    }
    case 'categorical':
      return Number.isInteger(internal) && internal >= 0 && internal < d.choices.length;
    case 'ordinal':
      return Number.isInteger(internal) && internal >= 0 && internal < d.values.length;
  }
}

export function distributionsEqual(a: Distribution, b: Distribution): boolean {
  if (a === b) return true;
  switch (a.type) {
    case 'float':
    case 'int':
      return b.type === a.type && a.low === b.low && a.high === b.high && a.log === b.log && a.step === b.step;
    case 'categorical':
      return b.type === 'categorical' && sameList(a.choices, b.choices);
    case 'ordinal':
      return b.type === 'ordinal' && sameList(a.values, b.values);
  }
}

function sameList(a: readonly CategoricalChoice[], b: readonly CategoricalChoice[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether `next` may be used for a parameter that an earlier trial of the same study sampled
 * from `prev`. As in Optuna, ranges may change between trials (dynamic search spaces), but the
 * kind, the log flag and categorical choices may not.
 */
export function checkCompatible(name: string, prev: Distribution, next: Distribution): void {
  const problem = (() => {
    if (prev.type !== next.type) return `it was ${describe(prev)} and is now ${describe(next)}`;
    if ((prev.type === 'float' || prev.type === 'int') && prev.log !== (next as FloatDistribution | IntDistribution).log) {
      return `it was ${describe(prev)} and is now ${describe(next)}`;
    }
    if (prev.type === 'categorical' && JSON.stringify(prev.choices) !== JSON.stringify((next as CategoricalDistribution).choices)) {
      return `its choices were ${JSON.stringify(prev.choices)} and are now ${JSON.stringify((next as CategoricalDistribution).choices)}`;
    }
    if (prev.type === 'ordinal' && JSON.stringify(prev.values) !== JSON.stringify((next as OrdinalDistribution).values)) {
      return `its values were ${JSON.stringify(prev.values)} and are now ${JSON.stringify((next as OrdinalDistribution).values)}`;
    }
    return null;
  })();
  if (problem) {
    throw new UsageError(`parameter '${name}' was suggested with two different distributions in one study: ${problem}. Use a new parameter name or a new study.`);
  }
}

export function describe(d: Distribution): string {
  switch (d.type) {
    case 'float':
      return `float [${d.low}, ${d.high}]${d.log ? ' log' : ''}${d.step !== null ? ` step ${d.step}` : ''}`;
    case 'int':
      return `int [${d.low}, ${d.high}]${d.log ? ' log' : ''}${d.step !== 1 ? ` step ${d.step}` : ''}`;
    case 'categorical':
      return `categorical ${JSON.stringify(d.choices)}`;
    case 'ordinal':
      return `ordinal ${JSON.stringify(d.values)}`;
  }
}

/**
 * Optuna's `distribution_json` form (`optuna.distributions.distribution_to_json`). An ordinal
 * distribution is written as Optuna's CategoricalDistribution, which stores the index as its
 * internal value just as we do, plus a top-level `"ordered": true` key that Optuna ignores.
 */
export function distributionToJson(d: Distribution): { name: string; attributes: Record<string, unknown>; ordered?: true } {
  switch (d.type) {
    case 'float':
      return { name: 'FloatDistribution', attributes: { step: d.step, low: d.low, high: d.high, log: d.log } };
    case 'int':
      return { name: 'IntDistribution', attributes: { log: d.log, step: d.step, low: d.low, high: d.high } };
    case 'categorical':
      return { name: 'CategoricalDistribution', attributes: { choices: [...d.choices] } };
    case 'ordinal':
      return { name: 'CategoricalDistribution', attributes: { choices: [...d.values] }, ordered: true };
  }
}

/** Parses Optuna's distribution JSON, including the legacy pre-3.0 class names. */
export function distributionFromJson(json: string | { name: string; attributes: Record<string, any>; ordered?: boolean }): Distribution {
  const obj = typeof json === 'string' ? JSON.parse(json) : json;
  const a = obj.attributes ?? {};
  switch (obj.name) {
    case 'FloatDistribution':
      return { type: 'float', low: a.low, high: a.high, log: Boolean(a.log), step: a.step ?? null };
    case 'UniformDistribution':
      return { type: 'float', low: a.low, high: a.high, log: false, step: null };
    case 'LogUniformDistribution':
      return { type: 'float', low: a.low, high: a.high, log: true, step: null };
    case 'DiscreteUniformDistribution':
      return { type: 'float', low: a.low, high: a.high, log: false, step: a.q };
    case 'IntDistribution':
      return { type: 'int', low: a.low, high: a.high, log: Boolean(a.log), step: a.step ?? 1 };
    case 'IntUniformDistribution':
      return { type: 'int', low: a.low, high: a.high, log: false, step: a.step ?? 1 };
    case 'IntLogUniformDistribution':
      return { type: 'int', low: a.low, high: a.high, log: true, step: 1 };
    case 'CategoricalDistribution':
      if (obj.ordered === true) return { type: 'ordinal', values: a.choices };
      return { type: 'categorical', choices: a.choices };
    default:
      throw new UsageError(`unknown distribution '${obj.name}' in stored distribution JSON`);
  }
}
