/**
 * HyperbandPruner: Optuna's bracket arithmetic (`optuna/pruners/_hyperband.py`), recomputed here
 * from its formulas with an independent bitwise CRC-32, and bracket isolation on a recorded
 * sequence whose decisions follow by hand from successive halving.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { HyperbandPruner } from '../../src/pruners/hyperband.js';
import { createStudy, type Study } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

/** zlib's CRC-32 (Python's binascii.crc32), bit by bit. */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Optuna's budgets: bracket b of n gets ceil(n * eta^(n-1-b) / (n-b)). */
function budgets(nBrackets: number, eta: number): number[] {
  return Array.from({ length: nBrackets }, (_, b) => Math.ceil((nBrackets * eta ** (nBrackets - 1 - b)) / (nBrackets - b)));
}

/** Optuna's _get_bracket_id: crc32("{study}_{number}") mod total, walked through the budgets. */
function bracketOf(studyName: string, trialNumber: number, b: readonly number[]): number {
  let n = crc32(`${studyName}_${trialNumber}`) % b.reduce((x, y) => x + y, 0);
  for (let i = 0; i < b.length; i++) {
    n -= b[i];
    if (n < 0) return i;
  }
  throw new Error('unreachable');
}

/** Reports `value` at steps 0..lastStep with shouldPrune() after each, until pruned. */
function run(study: Study, value: number, lastStep: number): boolean[] {
  const t = study.ask();
  const out: boolean[] = [];
  for (let step = 0; step <= lastStep; step++) {
    t.report(value, step);
    out.push(t.shouldPrune());
    if (out.at(-1)) {
      study.tell(t, null, { state: 'PRUNED' });
      return out;
    }
  }
  study.tell(t, value);
  return out;
}

/** Starts the pruner's brackets with one decision on a running trial that reported once. */
function initialize(pruner: HyperbandPruner, studyName: string): Study {
  const study = createStudy({ studyName, pruner, sampler: new RandomSampler({ seed: 0 }) });
  const t = study.ask();
  t.report(1, 0);
  t.shouldPrune();
  return study;
}

describe('HyperbandPruner', () => {
  it('the reference CRC-32 is the standard one', () => {
    expect(crc32('123456789')).toBe(0xcbf43926); // the CRC-32 check value
    expect(crc32('hello')).toBe(0x3610a686);
  });

  it("has Optuna's defaults and refuses bad options", () => {
    const p = new HyperbandPruner();
    expect([p.minResource, p.reductionFactor, p.bootstrapCount]).toEqual([1, 3, 0]);
    expect(() => new HyperbandPruner({ bootstrapCount: 1 })).toThrow(/maxResource/); // with 'auto'
    expect(() => new HyperbandPruner({ bootstrapCount: 1, maxResource: 27 })).not.toThrow();
    expect(() => new HyperbandPruner({ minResource: 0 })).toThrow(UsageError);
    expect(() => new HyperbandPruner({ reductionFactor: 1 })).toThrow(UsageError);
    expect(() => new HyperbandPruner({ minResource: 5, maxResource: 4 })).toThrow(UsageError);
    expect(() => new HyperbandPruner({ maxResource: 'big' as unknown as 'auto' })).toThrow(UsageError);
  });

  it('makes floor(log(max/min) / log(eta)) + 1 brackets with Python\'s rounding, and assigns trials by CRC-32', () => {
    // Python: math.log(243) = 5.493061443340548 and math.log(3) = 1.0986122886681098 (both
    // correctly rounded), so math.log(243, 3) = 4.999999999999999 and Optuna makes 5 brackets,
    // not 6. (V8's Math.log(3) is one ulp lower, which would give exactly 5.)
    expect(Math.floor(5.493061443340548 / 1.0986122886681098) + 1).toBe(5);
    const pruner = new HyperbandPruner({ maxResource: 243 });
    initialize(pruner, 'hb-243');
    expect(pruner.nBrackets).toBe(5);
    const b = budgets(5, 3);
    expect(b).toEqual([81, 34, 15, 8, 5]);
    for (let n = 0; n < 200; n++) expect(pruner.bracketOf('hb-243', n)).toBe(bracketOf('hb-243', n, b));
    expect(new Set(Array.from({ length: 200 }, (_, n) => bracketOf('hb-243', n, b))).size).toBe(5);
  });

  it('lets each bracket prune only among its own trials, its first rung at minResource * eta^bracket', () => {
    // maxResource 4, eta 2: 3 brackets, budgets 4, 3, 3; bracket b halves at steps 2^b, 2^(b+1), ...
    const name = 'hb-isolation';
    const b = budgets(3, 2);
    expect(b).toEqual([4, 3, 3]);
    const study = createStudy({ studyName: name, pruner: new HyperbandPruner({ minResource: 1, maxResource: 4, reductionFactor: 2 }), sampler: new RandomSampler({ seed: 0 }) });
    // Trial n reports the value n at steps 0..4: every later trial is worse than every earlier one.
    // So a trial is pruned at its bracket's first rung iff an earlier trial of the same bracket
    // reached that rung (they all do, 2^b <= 4); a trial first in its bracket is alone there
    // and at its later rungs, and is never pruned, whatever the other brackets hold.
    const seen = new Set<number>();
    let prunedCount = 0;
    for (let n = 0; n < 30; n++) {
      const bracket = bracketOf(name, n, b);
      const first = 2 ** bracket;
      const expected = seen.has(bracket) ? [...new Array(first).fill(false), true] : new Array(5).fill(false);
      if (seen.has(bracket)) prunedCount++;
      seen.add(bracket);
      expect(run(study, n, 4), `trial ${n} in bracket ${bracket}`).toEqual(expected);
    }
    expect(seen.size).toBe(3);
    expect(prunedCount).toBe(27);
  });

  it("with maxResource 'auto', prunes nothing until a trial completes, then uses its last step + 1", () => {
    const pruner = new HyperbandPruner();
    const study = createStudy({ studyName: 'hb-auto', pruner, sampler: new RandomSampler({ seed: 0 }) });
    expect(run(study, 1, 8)).toEqual(new Array(9).fill(false));
    expect(pruner.nBrackets).toBeNull();
    const t = study.ask();
    t.report(5, 0);
    t.shouldPrune();
    // maxResource = 8 + 1 = 9, eta 3: floor(log 9 / log 3) + 1 = 3 brackets.
    expect(pruner.nBrackets).toBe(3);
  });
});
