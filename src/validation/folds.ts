/**
 * Folds: splits of a history of trading days into in-sample (search) and out-of-sample (check)
 * parts, for validating what a study finds. Days are indices 0..days-1 of the objective's data
 * (the IB study's trading days); a fold's parts are half-open day ranges.
 *
 *   rolling    fixed-length in-sample window, the out-of-sample window right after it, moved by
 *              `step` (walk-forward analysis as traders run it)
 *   anchored   the same, but the in-sample part always starts at day 0 and grows
 *   kfold      k contiguous test blocks; the rest trains, less `purge` days before and `embargo`
 *              days after each test block (Lopez de Prado, "Advances in Financial Machine
 *              Learning", 2018, ch. 7: purging and embargo)
 *   cpcv       combinatorial purged cross-validation: the days in `groups` blocks, every choice
 *              of `testGroups` of them tested once (C(N, k) splits), purged and embargoed as
 *              kfold; the splits combine into C(N-1, k-1) whole backtest paths (ibid. ch. 12,
 *              and Bailey, Borwein, Lopez de Prado and Zhu 2015 for its use in PBO)
 *
 * The CLI reads them as `--folds rolling:is=6m,oos=1m`, `anchored:is=120,oos=20,step=20`,
 * `kfold:k=5,embargo=2`, `cpcv:n=6,k=2,embargo=1` (parseFolds); docs/validation.md.
 */
import { UsageError } from '../errors.js';

/** Half-open range of day indices. */
export interface DayRange {
  readonly from: number;
  readonly to: number;
}

export interface Fold {
  readonly index: number;
  /** The days the search sees (several ranges for k-fold and CPCV). */
  readonly inSample: readonly DayRange[];
  /** The days the chosen parameters are checked on. */
  readonly outOfSample: readonly DayRange[];
}

export type FoldSpec =
  | { readonly kind: 'rolling' | 'anchored'; readonly inSample: number; readonly outOfSample: number; readonly step?: number }
  | { readonly kind: 'kfold'; readonly k: number; readonly purge?: number; readonly embargo?: number }
  | { readonly kind: 'cpcv'; readonly groups: number; readonly testGroups: number; readonly purge?: number; readonly embargo?: number };

export interface FoldPlan {
  readonly spec: FoldSpec;
  readonly days: number;
  readonly folds: readonly Fold[];
  /**
   * CPCV only: the backtest paths, each the fold whose test part covers group g, for every g
   * (C(N-1, k-1) paths). Stitching a path's out-of-sample results gives one whole backtest.
   */
  readonly paths?: readonly (readonly number[])[];
}

/** Days in a fold's ranges. */
export function dayCount(ranges: readonly DayRange[]): number {
  let n = 0;
  for (const r of ranges) n += r.to - r.from;
  return n;
}

/** The folds of `spec` over `days` trading days; a UsageError says what does not fit. */
export function makeFolds(spec: FoldSpec, days: number, flag = '--folds'): FoldPlan {
  checkSpec(spec, flag);
  switch (spec.kind) {
    case 'rolling':
    case 'anchored':
      return { spec, days, folds: walkForward(spec, days, flag) };
    case 'kfold':
      return { spec, days, folds: blocked(days, spec.k, 1, spec.purge ?? 0, spec.embargo ?? 0, `${flag} kfold:k=${spec.k}`).folds };
    case 'cpcv': {
      const { folds, paths } = blocked(days, spec.groups, spec.testGroups, spec.purge ?? 0, spec.embargo ?? 0, `${flag} cpcv:n=${spec.groups},k=${spec.testGroups}`);
      return { spec, days, folds, paths };
    }
  }
}

function walkForward(spec: Extract<FoldSpec, { kind: 'rolling' | 'anchored' }>, days: number, flag: string): Fold[] {
  const step = spec.step ?? spec.outOfSample;
  const folds: Fold[] = [];
  for (let start = 0; start + spec.inSample + spec.outOfSample <= days; start += step) {
    const isFrom = spec.kind === 'anchored' ? 0 : start;
    const isTo = start + spec.inSample;
    folds.push({ index: folds.length, inSample: [{ from: isFrom, to: isTo }], outOfSample: [{ from: isTo, to: isTo + spec.outOfSample }] });
  }
  if (folds.length === 0) {
    throw new UsageError(
      `${flag} ${spec.kind}: ${spec.inSample} in-sample and ${spec.outOfSample} out-of-sample trading days need at least ${spec.inSample + spec.outOfSample} days, but the data has ${days}: shorten the windows or give more data`,
    );
  }
  return folds;
}

/** Every `k`-subset of 0..n-1, in lexicographic order. */
function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const walk = (from: number): void => {
    if (pick.length === k) {
      out.push([...pick]);
      return;
    }
    for (let i = from; i <= n - (k - pick.length); i++) {
      pick.push(i);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  return out;
}

/**
 * `groups` contiguous blocks of near-equal size (the first `days % groups` one day longer); each
 * split tests `testGroups` of them and trains on the rest, less `purge` days before and `embargo`
 * days after every test block.
 */
function blocked(days: number, groups: number, testGroups: number, purge: number, embargo: number, flag: string): { folds: Fold[]; paths: number[][] } {
  if (days < groups) throw new UsageError(`${flag}: ${groups} groups need at least ${groups} trading days, but the data has ${days}: use fewer groups or give more data`);
  const bounds: DayRange[] = [];
  const base = Math.floor(days / groups);
  let at = 0;
  for (let g = 0; g < groups; g++) {
    const size = base + (g < days % groups ? 1 : 0);
    bounds.push({ from: at, to: at + size });
    at += size;
  }
  const splits = combinations(groups, testGroups);
  const folds = splits.map((tested, index): Fold => {
    const testDays = tested.map((g) => bounds[g]);
    const excluded = new Uint8Array(days);
    for (const r of testDays) {
      for (let d = Math.max(0, r.from - purge); d < Math.min(days, r.to + embargo); d++) excluded[d] = 1;
    }
    const inSample: DayRange[] = [];
    for (let d = 0; d < days; ) {
      if (excluded[d]) {
        d++;
        continue;
      }
      const from = d;
      while (d < days && !excluded[d]) d++;
      inSample.push({ from, to: d });
    }
    if (inSample.length === 0) throw new UsageError(`${flag}: purge ${purge} and embargo ${embargo} leave no training days: make them shorter`);
    return { index, inSample, outOfSample: mergeAdjacent(testDays) };
  });
  // Path p takes, for group g, the p-th split (in order) that tests g: each group is tested in
  // C(N-1, k-1) splits, so there are that many paths, each covering every group once.
  const testedIn: number[][] = Array.from({ length: groups }, () => []);
  splits.forEach((tested, index) => tested.forEach((g) => testedIn[g].push(index)));
  const paths = testedIn[0].map((_, p) => testedIn.map((list) => list[p]));
  return { folds, paths };
}

function mergeAdjacent(ranges: readonly DayRange[]): DayRange[] {
  const out: DayRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.to === r.from) out[out.length - 1] = { from: last.from, to: r.to };
    else out.push(r);
  }
  return out;
}

function checkSpec(spec: FoldSpec, flag: string): void {
  const positive = (what: string, v: number | undefined, min = 1): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) {
      throw new UsageError(`${flag} ${spec.kind}: ${what} must be a whole number of trading days >= ${min}, but got ${v}`);
    }
  };
  switch (spec.kind) {
    case 'rolling':
    case 'anchored':
      positive('is (in-sample)', spec.inSample);
      positive('oos (out-of-sample)', spec.outOfSample);
      positive('step', spec.step);
      return;
    case 'kfold':
      if (!Number.isInteger(spec.k) || spec.k < 2) throw new UsageError(`${flag} kfold: k must be a whole number >= 2, but got ${spec.k}`);
      positive('purge', spec.purge, 0);
      positive('embargo', spec.embargo, 0);
      return;
    case 'cpcv':
      if (!Number.isInteger(spec.groups) || spec.groups < 2) throw new UsageError(`${flag} cpcv: n (groups) must be a whole number >= 2, but got ${spec.groups}`);
      if (!Number.isInteger(spec.testGroups) || spec.testGroups < 1 || spec.testGroups >= spec.groups) {
        throw new UsageError(`${flag} cpcv: k (test groups) must be a whole number from 1 to n - 1 = ${spec.groups - 1}, but got ${spec.testGroups}`);
      }
      positive('purge', spec.purge, 0);
      positive('embargo', spec.embargo, 0);
      return;
  }
}

/** Trading days per unit of a duration: d (days), w (weeks), m (months), y (years). */
const UNIT_DAYS: Readonly<Record<string, number>> = { d: 1, w: 5, m: 21, y: 252 };

const KINDS = ['rolling', 'anchored', 'kfold', 'cpcv'] as const;
const SYNTAX = 'rolling:is=6m,oos=1m[,step=1m] | anchored:is=120,oos=20[,step=20] | kfold:k=5[,purge=0][,embargo=2] | cpcv:n=6,k=2[,purge=0][,embargo=1]';

/**
 * Reads the CLI's `--folds` (or `--walk-forward`, `flag`, named in messages):
 * `<kind>:<key>=<value>,...`. Durations are trading days, or with a unit: `w` (5 days), `m` (21),
 * `y` (252).
 */
export function parseFolds(text: string, flag = '--folds'): FoldSpec {
  const bad = (why: string): UsageError => new UsageError(`${flag} '${text}': ${why}; write ${SYNTAX}`);
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (!(KINDS as readonly string[]).includes(kind)) throw bad(`unknown kind '${kind}' (one of ${KINDS.join(', ')})`);
  const values = new Map<string, string>();
  for (const part of colon < 0 ? [] : text.slice(colon + 1).split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw bad(`'${part}' is not key=value`);
    if (values.has(m[1])) throw bad(`'${m[1]}' is given twice`);
    values.set(m[1], m[2]);
  }
  const allowed: Record<(typeof KINDS)[number], string[]> = { rolling: ['is', 'oos', 'step'], anchored: ['is', 'oos', 'step'], kfold: ['k', 'purge', 'embargo'], cpcv: ['n', 'k', 'purge', 'embargo'] };
  for (const key of values.keys()) if (!allowed[kind as (typeof KINDS)[number]].includes(key)) throw bad(`${kind} takes ${allowed[kind as (typeof KINDS)[number]].join(', ')}, not '${key}'`);
  const duration = (key: string, required: boolean): number | undefined => {
    const v = values.get(key);
    if (v === undefined) {
      if (required) throw bad(`${kind} needs ${key}=`);
      return undefined;
    }
    const m = /^(\d+)([dwmy]?)$/.exec(v);
    if (!m) throw bad(`${key}=${v} is not a duration (a whole number of trading days, or with w, m or y)`);
    return Number(m[1]) * UNIT_DAYS[m[2] || 'd'];
  };
  const count = (key: string, required: boolean): number | undefined => {
    const v = values.get(key);
    if (v === undefined) {
      if (required) throw bad(`${kind} needs ${key}=`);
      return undefined;
    }
    if (!/^\d+$/.test(v)) throw bad(`${key}=${v} is not a whole number`);
    return Number(v);
  };
  let spec: FoldSpec;
  switch (kind as (typeof KINDS)[number]) {
    case 'rolling':
    case 'anchored':
      spec = { kind: kind as 'rolling' | 'anchored', inSample: duration('is', true)!, outOfSample: duration('oos', true)!, step: duration('step', false) };
      break;
    case 'kfold':
      spec = { kind: 'kfold', k: count('k', true)!, purge: duration('purge', false), embargo: duration('embargo', false) };
      break;
    case 'cpcv':
      spec = { kind: 'cpcv', groups: count('n', true)!, testGroups: count('k', true)!, purge: duration('purge', false), embargo: duration('embargo', false) };
      break;
  }
  checkSpec(spec, flag);
  return spec;
}
