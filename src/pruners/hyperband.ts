/**
 * Optuna's HyperbandPruner (`optuna/pruners/_hyperband.py`): several brackets, each a
 * SuccessiveHalvingPruner with its own first rung (minEarlyStoppingRate = bracket id), so that
 * some brackets prune early and hard and others late and gently.
 *
 * As Optuna: the number of brackets is floor(log_eta(maxResource / minResource)) + 1, computed once
 * (maxResource 'auto': the largest last step of a completed trial, plus one; no pruning before a
 * trial completes); bracket s gets a budget ceil(nBrackets * eta^(nBrackets-1-s) / (nBrackets-s));
 * a trial's bracket is `crc32("{studyName}_{trialNumber}") mod (sum of budgets)`, walked through
 * the budgets in order (Optuna uses `binascii.crc32`, not Python's per-process `hash()`); and each
 * bracket's pruner sees only the trials of its bracket.
 *
 * Not done: Optuna also hands the sampler a study that holds only the trial's bracket
 * (`optuna.pruners._filter_study`, called from `Trial` before `before_trial`,
 * `infer_relative_search_space`, `sample_relative` and `sample_independent`), so that e.g. TPE
 * models each bracket apart. Here the sampler sees every trial of the study: the pruning decisions
 * are Optuna's, the sampled parameters are those the sampler would pick without Hyperband.
 */
import type { FrozenTrial } from '../frozen-trial.js';
import { UsageError } from '../errors.js';
import type { Study } from '../study.js';
import type { Pruner } from './pruner.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';

export interface HyperbandPrunerOptions {
  /** The first rung's step in the most aggressive bracket, an integer >= 1. Default 1. */
  minResource?: number;
  /** The step where trials end, an integer >= 1, or 'auto' (default): from the completed trials. */
  maxResource?: number | 'auto';
  /** Default 3. */
  reductionFactor?: number;
  /** As SuccessiveHalvingPruner's; needs a numeric maxResource. Default 0. */
  bootstrapCount?: number;
}

export class HyperbandPruner implements Pruner {
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly bootstrapCount: number;
  private maxResource: number | 'auto';
  private pruners: SuccessiveHalvingPruner[] = [];
  private budgets: number[] = [];
  private totalBudget = 0;

  constructor(options: HyperbandPrunerOptions = {}) {
    this.minResource = options.minResource ?? 1;
    this.maxResource = options.maxResource ?? 'auto';
    this.reductionFactor = options.reductionFactor ?? 3;
    this.bootstrapCount = options.bootstrapCount ?? 0;
    checkInteger('minResource', this.minResource, 1);
    if (this.maxResource !== 'auto') checkInteger('maxResource', this.maxResource, this.minResource, `an integer >= minResource (${this.minResource}) or 'auto'`);
    checkInteger('reductionFactor', this.reductionFactor, 2);
    checkInteger('bootstrapCount', this.bootstrapCount, 0);
    if (this.bootstrapCount > 0 && this.maxResource === 'auto') {
      throw new UsageError(`HyperbandPruner: bootstrapCount > 0 needs a numeric maxResource, not 'auto' (bootstrapCount is ${this.bootstrapCount})`);
    }
  }

  /** The number of brackets, once known (after the first decision with a known maxResource). */
  get nBrackets(): number | null {
    return this.pruners.length > 0 ? this.pruners.length : null;
  }

  prune(study: Study, trial: FrozenTrial): boolean {
    if (this.pruners.length === 0) {
      this.initialize(study);
      if (this.pruners.length === 0) return false;
    }
    const bracket = this.bracketOf(study.studyName, trial.number);
    const inBracket = () => study.getTrials().filter((t) => this.bracketOf(study.studyName, t.number) === bracket);
    return this.pruners[bracket].pruneAmong(study, trial, inBracket);
  }

  /** The bracket of trial `trialNumber` of study `studyName` (0 before the brackets are known). */
  bracketOf(studyName: string, trialNumber: number): number {
    if (this.pruners.length === 0) return 0;
    let n = crc32(`${studyName}_${trialNumber}`) % this.totalBudget;
    for (let b = 0; b < this.budgets.length; b++) {
      n -= this.budgets[b];
      if (n < 0) return b;
    }
    throw new Error('unreachable: the budgets sum to the total');
  }

  private initialize(study: Study): void {
    if (this.maxResource === 'auto') {
      let maxStep: number | null = null;
      for (const t of study.getTrials({ states: ['COMPLETE'] })) {
        for (const s of t.intermediateValues.keys()) if (maxStep === null || s > maxStep) maxStep = s;
      }
      if (maxStep === null) return;
      this.maxResource = maxStep + 1;
    }
    // Python's math.log(x, base) is log(x) / log(base), each correctly rounded by glibc; V8's
    // Math.log is not always (Math.log(3) is 1 ulp low), which changes floor() at exact powers:
    // Python gets 5 brackets for 243 / 1 with factor 3, Math.log 6.
    const nBrackets = Math.floor(roundedLog(this.maxResource / this.minResource) / roundedLog(this.reductionFactor)) + 1;
    // An 'auto' maxResource below minResource leaves no bracket: as Optuna, never prune.
    for (let b = 0; b < nBrackets; b++) {
      const s = nBrackets - 1 - b;
      const budget = Math.ceil((nBrackets * this.reductionFactor ** s) / (s + 1));
      this.budgets.push(budget);
      this.totalBudget += budget;
      this.pruners.push(
        new SuccessiveHalvingPruner({
          minResource: this.minResource,
          reductionFactor: this.reductionFactor,
          minEarlyStoppingRate: b,
          bootstrapCount: this.bootstrapCount,
        }),
      );
    }
  }
}

function checkInteger(name: string, value: unknown, min: number, want = `an integer >= ${min}`): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new UsageError(`HyperbandPruner: ${name} must be ${want}, but got ${JSON.stringify(value)}`);
  }
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (zlib's, as Python's binascii.crc32) of a string's UTF-8 bytes, as an unsigned integer. */
function crc32(text: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const LOG_BITS = 256n;

/**
 * ln(x) rounded to the nearest double, for x > 0 finite: x = m 2^e with m in [1, 2) and
 * ln x = e ln 2 + 2 atanh((m - 1)/(m + 1)), in fixed point with 256 fractional bits (BigInt),
 * then rounded once (BigInt to Number conversion rounds to nearest).
 */
function roundedLog(x: number): number {
  let e = Math.floor(Math.log2(x));
  if (2 ** e > x) e--;
  else if (2 ** (e + 1) <= x) e++;
  const mantissa = BigInt(x / 2 ** e * 2 ** 52); // m * 2^52, exact
  const one = 1n << 52n;
  const lnM = 2n * atanhFixed(((mantissa - one) << LOG_BITS) / (mantissa + one));
  const ln2 = 2n * atanhFixed((1n << LOG_BITS) / 3n);
  const scaled = BigInt(e) * ln2 + lnM;
  return Number(scaled >> 128n) / 2 ** 128;
}

/** atanh(s) = s + s^3/3 + s^5/5 + ..., s in fixed point (|s| <= 1/3). */
function atanhFixed(s: bigint): bigint {
  const s2 = (s * s) >> LOG_BITS;
  let term = s;
  let sum = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    sum += term / k;
    term = (term * s2) >> LOG_BITS;
  }
  return sum;
}
